// The flat views of a trace: the per-kind SQLite views the writer creates, the CSV export (one file
// per kind, units in the column names) and the run tables (steps.csv, homes.csv), on a hand-made
// trace whose every value is known.
import CoSim
import Foundation
import Kernel
@testable import Market
import PowerFlow
import Testing
@testable import Trace
@testable import Verify

/// A two-home interval: injections, a step, one contract created and settled short, two meters.
private func writeFlatTrace(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-flat-\(getpid())-\(name).gtrace").path
    let writer = try TraceWriter(creatingAt: path, header: TraceHeader(engineVersion: "test", seed: 1, scenarioText: "test"),
                                 views: TracePayloads.schemas)
    let contract = Contract(id: 0, interval: 0, seller: 1, buyer: 0, energyWattHours: 100, buyerPriceMicroTokensPerWattHour: 150,
                            sellerPriceMicroTokensPerWattHour: 140)
    let records = [
        EventRecord(time: .minutes(2), actor: "contract:0", ContractCreatedEvent(contract)),
        EventRecord(time: .minutes(5), actor: "grid", GridInjectionsEvent(step: 1, loadKilowatts: [1.2, 0.6], loadKilovars: [0, 0],
                                                                          evKilowatts: [3, 0], evKilovars: [0, 0], pvKilowatts: [0, 2.4])),
        EventRecord(time: .minutes(5), actor: "grid", PowerFlowStepEvent(
            step: 1, converged: true, iterations: 4, controlIterations: 0, maxChangePerUnit: 1e-9, sourceKilowatts: 2.5,
            sourceKilovars: 0.25, lossesKilowatts: 0.1, lossesKilovars: 0.05, voltageMinPerUnit: 0.98, voltageMinNode: "h0.1",
            voltageMaxPerUnit: 1.01, voltageMaxNode: "h1.1", violations: [(limit: "EN 50160", nodes: 0)])),
        EventRecord(time: .minutes(5), actor: "home:0", MeterReadingEvent(interval: 0, netWattHours: 350)),
        EventRecord(time: .minutes(5), actor: "home:1", MeterReadingEvent(interval: 0, netWattHours: -150)),
        EventRecord(time: .minutes(5), actor: "contract:0", ContractRefundedEvent(ContractSettlement(
            contract: 0, deliveredWattHours: 80, paidToSellerMicroTokens: 11_200, refundedToBuyerMicroTokens: 3_000,
            paidToOperatorMicroTokens: 800, cancelled: false))),
    ]
    for record in records { try writer.append(record) }
    try writer.seal()
    return path
}

private func query(_ path: String, _ sql: String) throws -> [String] {
    let connection = try SQLiteConnection(path: path, flags: 0x1 /* SQLITE_OPEN_READONLY */)
    let statement = try connection.prepare(sql)
    var rows: [String] = []
    while try statement.step() { rows.append(statement.text(0)) }
    return rows
}

@Suite struct FlatExportTests {
    @Test func everyKindHasAFlatViewWithUnitColumns() throws {
        let path = try writeFlatTrace("views")
        #expect(try query(path, "SELECT name FROM sqlite_master WHERE type = 'view' AND name != 'events_readable' ORDER BY rowid")
            == EventKind.allCases.map(\.rawValue))
        #expect(try query(path, "SELECT group_concat(name, ',') FROM pragma_table_info('contract_refunded')")
            == ["seq,time_ms,actor,contract,delivered_wh,to_seller_utoken,refund_utoken,to_operator_utoken,cancelled"])
        #expect(try query(path, "SELECT actor || '|' || interval || '|' || net_wh FROM meter_reading") == ["home:0|0|350", "home:1|0|-150"])
        #expect(try query(path, "SELECT p_source_kw || '|' || violations_en_50160 || '|' || typeof(violations_ansi_c84_1_range_a) FROM powerflow_step")
            == ["2.5|0|null"])
        #expect(try query(path, "SELECT escrow_utoken FROM contract_created") == ["15000"])
        // The views are not part of the evidence: the chain still verifies.
        #expect(try TraceReader(path: path).verify().status.isSealed)
    }

    @Test func csvExportWritesOneFilePerKindWithEveryField() throws {
        let path = try writeFlatTrace("csv")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-flat-\(getpid())-csv").path
        try? FileManager.default.removeItem(atPath: directory)
        let written = try FlatExport.writeCSV(tracePath: path, kinds: nil, directory: directory)
        #expect(written.map { ($0 as NSString).lastPathComponent }
            == ["contract_created.csv", "contract_refunded.csv", "meter_reading.csv", "powerflow_step.csv", "grid_injections.csv"])
        let meters = try String(contentsOfFile: directory + "/meter_reading.csv", encoding: .utf8)
        #expect(meters == "seq,time_ms,actor,interval,net_wh\n4,300000,home:0,0,350\n5,300000,home:1,0,-150\n")
        let injections = try String(contentsOfFile: directory + "/grid_injections.csv", encoding: .utf8)
        #expect(injections == "seq,time_ms,actor,step,load_kw,load_kvar,ev_kw,ev_kvar,pv_kw\n"
            + #"2,300000,grid,1,"[1.2,0.6]","[0.0,0.0]","[3.0,0.0]","[0.0,0.0]","[0.0,2.4]""# + "\n")
        let only = try FlatExport.writeCSV(tracePath: path, kinds: [.fork], directory: directory + "-fork")
        #expect(try String(contentsOfFile: only[0], encoding: .utf8) == "seq,time_ms,actor,block,height,competing\n")
    }

    @Test func csvExportRefusesAMalformedPayloadNamingIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-flat-\(getpid())-bad.gtrace").path
        let writer = try TraceWriter(creatingAt: path, header: TraceHeader(engineVersion: "test", seed: 1, scenarioText: "test"))
        try writer.append(EventRecord(time: .minutes(5), kind: .meterReading, actor: "home:0", payload: ["interval": 0, "net_wh": "7"]))
        try writer.seal()
        #expect(throws: PayloadError(seq: 1, kind: "meter_reading", field: "net_wh", why: #"is not an integer: "7""#)) {
            try FlatExport.writeCSV(tracePath: path, kinds: nil, directory: path + "-csv")
        }
    }

    @Test func runTablesSumTheTraceByHome() throws {
        let path = try writeFlatTrace("tables")
        let (steps, homes) = try RunTables.tables([(variant: "p2p", path: path)])
        #expect(steps == RunTables.stepsHeader.joined(separator: ",") + "\np2p,1,300000,true,4,2.5,0.25,0.1,0.05,0.98,h0.1,1.01,h1.1\n")
        let rows = homes.split(separator: "\n").map(String.init)
        #expect(rows.count == 3)
        // Home 0 bought 80 Wh, paid seller + operator (12,000 µtoken), got 3,000 back; 5 min of 1.2 kW load and 3 kW EV.
        #expect(rows[1] == "p2p,0,80,0,12000,0,3000,350,0,0.09999999999999999,0.0,0.25")
        #expect(rows[2] == "p2p,1,0,80,0,11200,0,0,150,0.049999999999999996,0.19999999999999998,0.0")
    }
}
