// Owns reading a stored event's payload as its typed `EventPayload`: the JSON text is parsed, the
// kind checked and the type's strict reader applied, so `verify`, `replay`, `audit` and the
// exports all read payloads one way and fail naming seq, kind and field.
import Kernel
import Trace

extension TraceEvent {
    /// The payload read as `P` (the event must be of `P.kind`).
    public func payload<P: EventPayload>(as type: P.Type) throws(PayloadError) -> P {
        try P(reading: try payloadJSON(), seq: seq)
    }

    /// The payload parsed into `CanonicalJSON` (an error names the field "payload").
    public func payloadJSON() throws(PayloadError) -> CanonicalJSON {
        do {
            return try parsePayloadJSON(payload)
        } catch {
            throw PayloadError(seq: seq, kind: kind, field: "payload", why: "is not JSON: \(error)")
        }
    }

    /// The payload read with its kind's type; nil for a kind outside the vocabulary.
    public func typedPayload() throws(PayloadError) -> (any EventPayload)? {
        guard let type = TracePayloads.type(of: kind) else { return nil }
        return try type.init(reading: try payloadJSON(), seq: seq)
    }
}
