import Testing
@testable import Kernel

@Suite struct EventQueueTests {
    @Test func ordersByTimeThenSchedulingOrder() {
        var q = EventQueue<String>()
        q.schedule("c", at: .seconds(2))
        q.schedule("a", at: .seconds(1))
        q.schedule("b", at: .seconds(1))
        q.schedule("d", at: .seconds(2))
        q.schedule("z", at: .zero)
        var out: [String] = []
        while let e = q.pop() { out.append(e.payload) }
        #expect(out == ["z", "a", "b", "c", "d"])
    }

    @Test func matchesASortedReferenceOnRandomSchedules() {
        var g = Xoshiro256StarStar(seed: 11)
        var q = EventQueue<Int>()
        var reference: [(Int64, Int)] = []
        for i in 0..<5000 {
            let t = Int64(g.uniformInt(below: 300))
            q.schedule(i, at: SimTime(milliseconds: t))
            reference.append((t, i))
        }
        reference.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var popped: [Int] = []
        while let e = q.pop() { popped.append(e.payload) }
        #expect(popped == reference.map(\.1))
    }

    @Test func simTimeFormatsAndConverts() {
        #expect(SimTime.hours(25).description == "25:00:00.000")
        #expect(SimTime(milliseconds: 61_001).description == "00:01:01.001")
        #expect(SimTime.fromSeconds(0.0015).milliseconds == 2)
        #expect(SimTime.minutes(5).seconds == 300)
    }
}
