// Owns smart contracts and money: the integer token ledger (homes, escrow, market operator, grid),
// escrow at contract creation, meter-based settlement with refunds, grid fallback for shortfalls
// (p_gb) and surpluses (p_gs), the daily bidding-token allowance, and the conservation invariants.
import Kernel

/// A smart contract for one trade. Money in µtoken, energy in Wh.
public struct Contract: Sendable, Equatable, Codable {
    public var id: Int
    public var interval: Int
    public var seller: Int
    public var buyer: Int
    public var energyWattHours: Int64
    public var buyerPriceMicroTokensPerWattHour: Int64
    public var sellerPriceMicroTokensPerWattHour: Int64

    public init(id: Int, interval: Int, seller: Int, buyer: Int, energyWattHours: Int64,
                buyerPriceMicroTokensPerWattHour: Int64, sellerPriceMicroTokensPerWattHour: Int64) {
        precondition(energyWattHours > 0 && sellerPriceMicroTokensPerWattHour >= 0
                     && sellerPriceMicroTokensPerWattHour <= buyerPriceMicroTokensPerWattHour, "malformed contract \(id)")
        self.id = id
        self.interval = interval
        self.seller = seller
        self.buyer = buyer
        self.energyWattHours = energyWattHours
        self.buyerPriceMicroTokensPerWattHour = buyerPriceMicroTokensPerWattHour
        self.sellerPriceMicroTokensPerWattHour = sellerPriceMicroTokensPerWattHour
    }

    /// What the buyer locks at creation: x · y.
    public var escrowMicroTokens: Int64 { energyWattHours * buyerPriceMicroTokensPerWattHour }

    /// Canonical bytes of the contract-creation transaction (for the chain: size and hash).
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 80)
        encoder.append("gridtrace.contract.v1")
        for field in [Int64(id), Int64(interval), Int64(seller), Int64(buyer), energyWattHours,
                      buyerPriceMicroTokensPerWattHour, sellerPriceMicroTokensPerWattHour] { encoder.append(field) }
        return encoder.bytes
    }

    /// The `contract_created` payload.
    public var json: CanonicalJSON { ContractCreatedEvent(self).canonical }
}

/// How one contract was settled.
public struct ContractSettlement: Sendable, Equatable {
    public var contract: Int
    /// Energy the seller actually delivered, x1 ≤ x, Wh.
    public var deliveredWattHours: Int64
    public var paidToSellerMicroTokens: Int64
    public var refundedToBuyerMicroTokens: Int64
    public var paidToOperatorMicroTokens: Int64
    /// True when the contract was never confirmed and was refunded in full.
    public var cancelled: Bool

    /// Canonical bytes of the settlement transaction (for the chain: size and hash).
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 72)
        encoder.append("gridtrace.settlement.v1")
        for field in [Int64(contract), deliveredWattHours, paidToSellerMicroTokens, refundedToBuyerMicroTokens,
                      paidToOperatorMicroTokens] { encoder.append(field) }
        encoder.append(cancelled)
        return encoder.bytes
    }

    /// The `contract_settled` / `contract_refunded` payload.
    public var json: CanonicalJSON { ContractSettledEvent(self).canonical }
}

/// One home's settlement for an interval.
public struct HomeSettlement: Sendable, Equatable {
    public var home: Int
    /// Metered net energy, Wh (+ import).
    public var meteredWattHours: Int64
    public var boughtWattHours: Int64
    public var soldWattHours: Int64
    /// Energy imported from the grid at p_gb (shortfall), Wh.
    public var gridImportWattHours: Int64
    /// Energy exported to the grid at p_gs (surplus), Wh.
    public var gridExportWattHours: Int64
}

/// Settlement of one interval.
public struct SettlementReport: Sendable, Equatable {
    public var interval: Int
    public var contracts: [ContractSettlement]
    public var homes: [HomeSettlement]
}

/// The token ledger. All amounts are Int64 µtoken; the grid account is the outside world and may be
/// negative (it has paid out more than it took in).
///
/// Invariant (checked with `precondition` after every operation that moves money): the sum of all
/// accounts equals `totalMicroTokens`, which never changes after creation.
public struct TokenLedger: Sendable, Equatable, Codable {
    public private(set) var homeBalancesMicroTokens: [Int64]
    public private(set) var escrowMicroTokens: Int64 = 0
    public private(set) var operatorMicroTokens: Int64 = 0
    public private(set) var gridMicroTokens: Int64 = 0
    public let totalMicroTokens: Int64
    /// Bidding tokens left today per home (free, fixed daily allowance; separate from payments).
    public private(set) var biddingTokensLeft: [Int]
    public let dailyBiddingAllowance: Int
    public private(set) var day = 0

    public init(homeCount: Int, initialBalanceMicroTokens: Int64, dailyBiddingAllowance: Int) {
        homeBalancesMicroTokens = [Int64](repeating: initialBalanceMicroTokens, count: homeCount)
        totalMicroTokens = initialBalanceMicroTokens * Int64(homeCount)
        biddingTokensLeft = [Int](repeating: dailyBiddingAllowance, count: homeCount)
        self.dailyBiddingAllowance = dailyBiddingAllowance
    }

    public var sumOfAccountsMicroTokens: Int64 {
        var sum = escrowMicroTokens + operatorMicroTokens + gridMicroTokens
        for balance in homeBalancesMicroTokens { sum += balance }
        return sum
    }

    private func checkConservation() {
        precondition(sumOfAccountsMicroTokens == totalMicroTokens, "money not conserved: accounts sum to \(sumOfAccountsMicroTokens), expected \(totalMicroTokens)")
        precondition(escrowMicroTokens >= 0, "escrow went negative")
    }

    /// Starts the day of `interval` (refilling bidding tokens when the day changes).
    public mutating func startInterval(_ interval: Int) {
        let intervalDay = interval / marketIntervalsPerDay
        if intervalDay != day {
            day = intervalDay
            for home in biddingTokensLeft.indices { biddingTokensLeft[home] = dailyBiddingAllowance }
        }
    }

    /// Spends one bidding token of `home`; false when today's allowance is used up.
    public mutating func spendBiddingToken(home: Int) -> Bool {
        guard home >= 0 && home < biddingTokensLeft.count, biddingTokensLeft[home] > 0 else { return false }
        biddingTokensLeft[home] -= 1
        return true
    }

    /// Locks the buyer's x·y in escrow; false (nothing moves) when the buyer cannot cover it.
    public mutating func escrow(_ contract: Contract) -> Bool {
        let amount = contract.escrowMicroTokens
        guard homeBalancesMicroTokens[contract.buyer] >= amount else { return false }
        homeBalancesMicroTokens[contract.buyer] -= amount
        escrowMicroTokens += amount
        checkConservation()
        return true
    }

    /// Releases a contract's escrow: x1·y_s to the seller, (x − x1)·y_b back to the buyer, the rest
    /// (x1·(y_b − y_s), McAfee's spread) to the market operator.
    mutating func release(_ contract: Contract, deliveredWattHours: Int64, cancelled: Bool) -> ContractSettlement {
        precondition(deliveredWattHours >= 0 && deliveredWattHours <= contract.energyWattHours, "delivery outside 0…x")
        let toSeller = deliveredWattHours * contract.sellerPriceMicroTokensPerWattHour
        let refund = (contract.energyWattHours - deliveredWattHours) * contract.buyerPriceMicroTokensPerWattHour
        let toOperator = contract.escrowMicroTokens - toSeller - refund
        precondition(toOperator >= 0, "seller price above buyer price")
        escrowMicroTokens -= contract.escrowMicroTokens
        homeBalancesMicroTokens[contract.seller] += toSeller
        homeBalancesMicroTokens[contract.buyer] += refund
        operatorMicroTokens += toOperator
        checkConservation()
        return ContractSettlement(contract: contract.id, deliveredWattHours: deliveredWattHours, paidToSellerMicroTokens: toSeller,
                                  refundedToBuyerMicroTokens: refund, paidToOperatorMicroTokens: toOperator, cancelled: cancelled)
    }

    /// Bills a grid import (home pays p_gb) or credits an export (grid pays p_gs).
    mutating func settleWithGrid(home: Int, importWattHours: Int64, exportWattHours: Int64, prices: MarketPrices) {
        let bill = importWattHours * prices.gridBuyMicroTokensPerWattHour
        let credit = exportWattHours * prices.gridSellMicroTokensPerWattHour
        homeBalancesMicroTokens[home] += credit - bill
        gridMicroTokens += bill - credit
        checkConservation()
    }
}

/// Settles an interval's contracts from meter readings, then settles every home's remainder with the grid.
///
/// Delivery: a seller's metered export (−metered, if positive) is assigned to its contracts in
/// contract-id order; x1 = min(x, export left). Each home's grid position is then
/// `metered − bought + sold` (Wh): positive is a shortfall bought at p_gb, negative a surplus sold at
/// p_gs. Energy invariants (preconditions): per home `metered = bought − sold + import − export`, and
/// over all homes `Σ bought = Σ sold`. Money invariants are checked by the ledger; escrow returns to
/// its level before the interval's contracts.
public func settleInterval(interval: Int, contracts: [Contract], cancelledContractIDs: [Int], meteredWattHours: [Int64],
                           prices: MarketPrices, ledger: inout TokenLedger) -> SettlementReport {
    let homeCount = meteredWattHours.count
    var exportLeft = meteredWattHours.map { max(0, -$0) }
    var bought = [Int64](repeating: 0, count: homeCount)
    var sold = [Int64](repeating: 0, count: homeCount)
    let cancelled = cancelledContractIDs.sorted()
    var settlements: [ContractSettlement] = []
    let escrowBefore = ledger.escrowMicroTokens
    var escrowOfThese: Int64 = 0
    for contract in contracts.sorted(by: { $0.id < $1.id }) {
        escrowOfThese += contract.escrowMicroTokens
        let isCancelled = binarySearch(cancelled, contract.id)
        let delivered = isCancelled ? 0 : min(contract.energyWattHours, exportLeft[contract.seller])
        exportLeft[contract.seller] -= delivered
        sold[contract.seller] += delivered
        bought[contract.buyer] += delivered
        settlements.append(ledger.release(contract, deliveredWattHours: delivered, cancelled: isCancelled))
    }
    precondition(ledger.escrowMicroTokens == escrowBefore - escrowOfThese, "escrow of settled contracts not fully released")
    var homes: [HomeSettlement] = []
    var totalBought: Int64 = 0, totalSold: Int64 = 0
    for home in 0..<homeCount {
        let position = meteredWattHours[home] - bought[home] + sold[home]
        let gridImport = max(0, position), gridExport = max(0, -position)
        precondition(meteredWattHours[home] == bought[home] - sold[home] + gridImport - gridExport, "energy not conserved at home \(home)")
        ledger.settleWithGrid(home: home, importWattHours: gridImport, exportWattHours: gridExport, prices: prices)
        totalBought += bought[home]; totalSold += sold[home]
        homes.append(HomeSettlement(home: home, meteredWattHours: meteredWattHours[home], boughtWattHours: bought[home],
                                    soldWattHours: sold[home], gridImportWattHours: gridImport, gridExportWattHours: gridExport))
    }
    precondition(totalBought == totalSold, "energy not conserved: bought \(totalBought) Wh, sold \(totalSold) Wh")
    return SettlementReport(interval: interval, contracts: settlements, homes: homes)
}

private func binarySearch(_ sorted: [Int], _ value: Int) -> Bool {
    var low = 0, high = sorted.count
    while low < high {
        let mid = (low + high) / 2
        if sorted[mid] < value { low = mid + 1 } else { high = mid }
    }
    return low < sorted.count && sorted[low] == value
}
