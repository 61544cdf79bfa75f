// Owns compressing the files a trace stores (zlib's own format, RFC 1950, through the system libz:
// Foundation has no zlib on Linux). The chain hashes the uncompressed bytes, so a different zlib
// build that compresses differently still verifies the same trace.
import CZlib

public enum Zlib {
    /// zlib level 9: files are compressed once per trace, read many times.
    public static let level: Int32 = 9
    /// Checkpoints are written many times per run and read rarely: zlib's fast level.
    public static let checkpointLevel: Int32 = 1

    /// `bytes` compressed (zlib format with its Adler-32 check).
    public static func compress(_ bytes: [UInt8], level: Int32 = Zlib.level) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), level)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed (\(status)) with a buffer of compressBound size")
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// Decompresses `compressed`, which must expand to exactly `byteCount` bytes; nil when it is
    /// damaged (bad header or Adler-32 check, truncated, or another length).
    public static func decompress(_ compressed: [UInt8], byteCount: Int) -> [UInt8]? {
        // Deflate expands at most 1032:1, so a larger recorded size is damage, refused before the
        // output buffer is allocated and zeroed: otherwise a few bytes claiming 1 GiB cost 1 GiB.
        guard byteCount >= 0, byteCount <= maximumExpansion(of: compressed.count) else { return nil }
        // One spare byte so that data longer than recorded is caught (Z_BUF_ERROR or a longer result).
        var length = uLong(byteCount + 1)
        var output = [UInt8](repeating: 0, count: byteCount + 1)
        let status = output.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &length, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(length) == byteCount else { return nil }
        output.removeLast()
        return output
    }

    /// The most bytes `compressedCount` bytes of zlib data can decompress to: deflate's best ratio is
    /// 1032:1 (a 258-byte match coded in 2 bits), plus slack for the zlib header and Adler-32 trailer.
    static func maximumExpansion(of compressedCount: Int) -> Int {
        min(compressedCount, 1 << 40) * 1032 + 1024
    }
}
