// Tests of keys, accounts, signed orders and commit–reveal: the accepted path and every rejection reason.
import Crypto
import Kernel
import Testing
@testable import Market

private let nonceA: [UInt8] = Array(repeating: 7, count: 32)
private let nonceB: [UInt8] = Array(repeating: 9, count: 32)

private func sampleOrder(participant: Int = 1, interval: Int = 5) -> Order {
    Order(participant: participant, interval: interval, side: .sell, energyWattHours: 420, limitPriceMicroTokensPerWattHour: 90)
}

private func registry(for keys: [ParticipantKey]) -> AccountRegistry {
    var registry = AccountRegistry()
    for key in keys { registry.register(participant: key.participant, publicKey: key.publicKeyBytes) }
    return registry
}

@Suite struct OrdersTests {
    let keys = (0..<3).map { ParticipantKey(participant: $0, rootSeed: 2024) }

    @Test func keysAreDerivedFromTheSeed() {
        #expect(ParticipantKey(participant: 1, rootSeed: 2024).publicKeyBytes == keys[1].publicKeyBytes)
        #expect(ParticipantKey(participant: 1, rootSeed: 2025).publicKeyBytes != keys[1].publicKeyBytes)
        #expect(keys[0].publicKeyBytes != keys[1].publicKeyBytes)
        #expect(keys[0].publicKeyBytes.count == 32)
        // Ed25519 signatures are deterministic on this platform, so traces that store them reproduce.
        #expect(keys[0].sign([1, 2, 3]) == keys[0].sign([1, 2, 3]))
    }

    @Test func commitmentIsSHA256OfOrderAndNonce() {
        let order = sampleOrder()
        let expected = Array(SHA256.hash(data: order.canonicalBytes(nonce: nonceA) + nonceA))
        #expect(order.commitment(nonce: nonceA) == expected)
        #expect(order.commitment(nonce: nonceB) != expected)
        var other = order
        other.energyWattHours += 1
        #expect(other.commitment(nonce: nonceA) != expected)
    }

    @Test func honestCommitAndRevealAreAccepted() {
        let (commit, reveal) = makeCommitAndReveal(order: sampleOrder(), nonce: nonceA, key: keys[1])
        var book = CommitRevealBook(interval: 5, participantCount: 3)
        #expect(book.submit(commit, registry: registry(for: keys)) == nil)
        #expect(book.submit(reveal, registry: registry(for: keys)) == nil)
        #expect(book.accepted == [sampleOrder()])
        #expect(book.rejections.isEmpty)
    }

    @Test func revealThatDoesNotMatchItsCommitmentIsRejected() {
        let (commit, _) = makeCommitAndReveal(order: sampleOrder(), nonce: nonceA, key: keys[1])
        var changed = sampleOrder()
        changed.energyWattHours = 999  // properly signed, but not what was committed
        let (_, reveal) = makeCommitAndReveal(order: changed, nonce: nonceA, key: keys[1])
        var book = CommitRevealBook(interval: 5, participantCount: 3)
        book.submit(commit, registry: registry(for: keys))
        #expect(book.submit(reveal, registry: registry(for: keys)) == .commitmentMismatch)
        #expect(book.rejections == [OrderRejection(participant: 1, interval: 5, phase: .reveal, reason: .commitmentMismatch)])
        #expect(book.accepted.isEmpty)
    }

    @Test func unknownAccountIsRejected() {
        let stranger = ParticipantKey(participant: 2, rootSeed: 2024)
        let (commit, reveal) = makeCommitAndReveal(order: sampleOrder(participant: 2), nonce: nonceA, key: stranger)
        var book = CommitRevealBook(interval: 5, participantCount: 3)
        let onlyTwo = registry(for: Array(keys.prefix(2)))
        #expect(book.submit(commit, registry: onlyTwo) == .unknownAccount)
        #expect(book.submit(reveal, registry: onlyTwo) == .unknownAccount)
        #expect(book.rejections.map(\.reason) == [.unknownAccount, .unknownAccount])
    }

    @Test func badSignatureIsRejected() {
        let order = sampleOrder(participant: 1)
        let (commit, _) = makeCommitAndReveal(order: order, nonce: nonceA, key: keys[1])
        var tamperedCommit = commit
        tamperedCommit.commitment[0] ^= 1
        // Participant 0 signs a commitment claiming to be participant 1.
        var forgedCommit = commit
        forgedCommit.signature = keys[0].sign(CommitTransaction.signedBytes(participant: 1, interval: 5, commitment: commit.commitment))
        var truncated = commit
        truncated.signature.removeLast()
        var book = CommitRevealBook(interval: 5, participantCount: 3)
        #expect(book.submit(tamperedCommit, registry: registry(for: keys)) == .badSignature)
        #expect(book.submit(forgedCommit, registry: registry(for: keys)) == .badSignature)
        #expect(book.submit(truncated, registry: registry(for: keys)) == .badSignature)
        #expect(book.submit(commit, registry: registry(for: keys)) == nil)
    }

    /// A reveal is authenticated by its signed commitment: another participant cannot reveal a
    /// different order in participant 1's name without the nonce.
    @Test func revealInAnotherParticipantsNameIsRejected() {
        let order = sampleOrder(participant: 1)
        let (commit, reveal) = makeCommitAndReveal(order: order, nonce: nonceA, key: keys[1])
        var impostor = order
        impostor.energyWattHours = 1
        var book = CommitRevealBook(interval: 5, participantCount: 3)
        #expect(book.submit(commit, registry: registry(for: keys)) == nil)
        #expect(book.submit(RevealTransaction(order: impostor, nonce: nonceB), registry: registry(for: keys)) == .commitmentMismatch)
        #expect(book.submit(RevealTransaction(order: impostor, nonce: nonceA), registry: registry(for: keys)) == .commitmentMismatch)
        #expect(book.submit(reveal, registry: registry(for: keys)) == nil)
        #expect(book.submit(reveal, registry: registry(for: keys)) == .noCommitment)  // a copy of a published reveal
        #expect(book.accepted == [order])
    }

    @Test func replayFromAnotherIntervalIsRejected() {
        let old = sampleOrder(interval: 4)
        let (oldCommit, oldReveal) = makeCommitAndReveal(order: old, nonce: nonceA, key: keys[1])
        var book = CommitRevealBook(interval: 5, participantCount: 3)
        #expect(book.submit(oldCommit, registry: registry(for: keys)) == .replayFromAnotherInterval)
        let (commit, _) = makeCommitAndReveal(order: sampleOrder(), nonce: nonceB, key: keys[1])
        #expect(book.submit(commit, registry: registry(for: keys)) == nil)
        #expect(book.submit(oldReveal, registry: registry(for: keys)) == .replayFromAnotherInterval)
    }

    @Test func revealWithoutCommitmentDuplicateCommitAndExhaustedAllowanceAreRejected() {
        let (commit, reveal) = makeCommitAndReveal(order: sampleOrder(), nonce: nonceA, key: keys[1])
        var book = CommitRevealBook(interval: 5, participantCount: 3)
        #expect(book.submit(reveal, registry: registry(for: keys)) == .noCommitment)
        #expect(book.submit(commit, registry: registry(for: keys)) == nil)
        #expect(book.submit(commit, registry: registry(for: keys)) == .duplicateCommitment)
        #expect(book.submit(reveal, registry: registry(for: keys)) == nil)
        #expect(book.submit(reveal, registry: registry(for: keys)) == .noCommitment)  // one reveal per commitment
        var ledger = TokenLedger(homeCount: 3, initialBalanceMicroTokens: 0, dailyBiddingAllowance: 1)
        var next = CommitRevealBook(interval: 5, participantCount: 3)
        let (second, _) = makeCommitAndReveal(order: sampleOrder(participant: 2), nonce: nonceA, key: keys[2])
        let spent = ledger.spendBiddingToken(home: 2)
        #expect(spent)
        let reason = next.submit(second, registry: registry(for: keys), spendBiddingToken: { home in ledger.spendBiddingToken(home: home) })
        #expect(reason == .biddingAllowanceExhausted)
        #expect(next.rejections.map(\.reason) == [.biddingAllowanceExhausted])
    }

    @Test func transactionsHaveCanonicalPayloads() {
        let (commit, reveal) = makeCommitAndReveal(order: sampleOrder(), nonce: nonceA, key: keys[1])
        #expect(commit.json.text.hasPrefix("{\"commitment\":\"" + hexString(sampleOrder().commitment(nonce: nonceA))))
        #expect(reveal.json.text.contains("\"energy_wh\":420"))
        #expect(!reveal.json.text.contains("signature"))
        // Sizes a block carries: length-prefixed signed bytes plus a 64-byte signature; the reveal is
        // the order and nonce alone (its commitment authenticates it).
        #expect(commit.canonicalBytes.count == 4 + (4 + 19 + 8 + 8 + 4 + 32) + 4 + 64)
        #expect(reveal.canonicalBytes.count == 4 + (4 + 18 + 8 + 8 + 1 + 8 + 8 + 4 + 32))
    }
}
