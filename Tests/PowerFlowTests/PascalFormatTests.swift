// Owns the checks that numbers print as OpenDSS's Free Pascal runtime prints them (values taken
// from OpenDSS's own export files where they show a difference from printf).
import Testing
@testable import PowerFlow

@Suite struct PascalFormatTests {
    @Test(arguments: [
        (4.3195e-6, 10, 6, " 4.3195E-6"),         // below 1e-5: scientific, no "+", no leading exponent zeros
        (1.29584557e-5, 10, 6, "0.0000129585"),    // from 1e-5: fixed (printf %g switches at 1e-4)
        (6.506e-9, 8, 4, "6.506E-9"),
        (66393.5, 10, 6, "   66393.5"),
        (0.99997, 9, 5, "  0.99997"),
        (0.0, 10, 6, "         0"),
        (-0.0, 10, 6, "         0"),               // Format drops the sign of a zero
        (1234567.0, 10, 6, " 1.23457E6"),          // at `precision` integer digits: scientific
        (999999.6, 0, 6, "1E6"),                   // rounding carries into the exponent
        (-2.5e-7, 0, 4, "-2.5E-7"),
        (0.002525, 8, 4, "0.002525"),
    ])
    func general(_ value: Double, _ width: Int, _ precision: Int, _ expected: String) {
        #expect(PascalFormat.general(value, width: width, precision: precision) == expected)
    }

    @Test func fixedDropsTheSignOfZeroButWriteStrKeepsIt() {
        #expect(PascalFormat.fixed(-0.001, width: 8, decimals: 2) == "    0.00")
        #expect(PascalFormat.fixed(-1.5, width: 6, decimals: 1) == "  -1.5")
        #expect(PascalFormat.writeFixed(-1e-9, width: 11, decimals: 1) == "       -0.0")
        #expect(PascalFormat.writeFixed(3567.06, width: 11, decimals: 1) == "     3567.1")
    }

    @Test func formatSpecsDispatch() {
        #expect(OpenDSSExports.format("%.7g", 0) == "0")
        #expect(OpenDSSExports.format("%.7g", 2.910383e-11) == "2.910383E-11")
        #expect(OpenDSSExports.format("%6.1f", -0.04) == "   0.0")
        #expect(OpenDSSExports.format("%g", 60) == "60")
    }
}
