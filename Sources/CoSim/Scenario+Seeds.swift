// Owns the seeds per subsystem: the root seed stands for every subsystem (the feeder, the
// households' profiles, the market, the chain and the adversaries) unless `[run.seeds]` pins one of
// them to its own seed, so one part can be held fixed while another varies (a sweep over market
// seeds on one grid). An unpinned subsystem draws from the root seed's streams exactly as before
// pins existed, which keeps every trace of a scenario without pins byte for byte what it was.
import Kernel

extension Scenario {
    /// A part of the run with its own seed.
    public enum SeedSubsystem: String, CaseIterable, Sendable, Codable {
        /// The synthetic feeder (lines, homes' phases and PV ratings) and a `[homes]` rule's draws.
        case grid
        /// The households' demand, PV and EV days.
        case profiles
        /// Signing keys, bids, nonces, the auction overlay and the orders' timing in each interval.
        case market
        /// The chain's topology, mining and workload.
        case chain
        /// Which homes are adversaries and when they misdeclare.
        case adversaries
    }

    /// The subsystem seeds a scenario pins (`[run.seeds]`); nil: the root seed.
    public struct SeedPins: Sendable, Equatable {
        public var grid: UInt64?
        public var profiles: UInt64?
        public var market: UInt64?
        public var chain: UInt64?
        public var adversaries: UInt64?

        public init(grid: UInt64? = nil, profiles: UInt64? = nil, market: UInt64? = nil, chain: UInt64? = nil,
                    adversaries: UInt64? = nil) {
            self.grid = grid; self.profiles = profiles; self.market = market; self.chain = chain; self.adversaries = adversaries
        }

        /// The pin of `subsystem`, if any.
        public subscript(subsystem: SeedSubsystem) -> UInt64? {
            get {
                switch subsystem {
                case .grid: return grid
                case .profiles: return profiles
                case .market: return market
                case .chain: return chain
                case .adversaries: return adversaries
                }
            }
            set {
                switch subsystem {
                case .grid: grid = newValue
                case .profiles: profiles = newValue
                case .market: market = newValue
                case .chain: chain = newValue
                case .adversaries: adversaries = newValue
                }
            }
        }

        public var isEmpty: Bool { SeedSubsystem.allCases.allSatisfy { self[$0] == nil } }
    }

    /// The seed `subsystem` draws from: its pin, else the root seed.
    public func subsystemSeed(_ subsystem: SeedSubsystem) -> UInt64 { seedPins[subsystem] ?? seed }

    /// Reads `[run.seeds]`: each key a subsystem, each value a seed (0 … 2⁶³ − 1); other keys are errors.
    static func parseSeedPins(_ run: TOMLSection) throws(TOMLInputError) -> SeedPins {
        let section = try run.subsection("seeds")
        var pins = SeedPins()
        for subsystem in SeedSubsystem.allCases {
            pins[subsystem] = try section.optionalInt(subsystem.rawValue, in: 0...Int.max).map { UInt64($0) }
        }
        return pins
    }
}
