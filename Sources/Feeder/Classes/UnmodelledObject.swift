// Owns the classes OpenDSS has that do not change a power-flow solution (protection, curves,
// spectra, sensors): they are accepted, their assignments kept verbatim, and `solve --json` lists
// them as accepted but not modelled. An assignment that would make one change the solution (an
// open protective device) is refused rather than ignored.

/// An object of a class that does not act in a power-flow solution.
public struct UnmodelledObject: Sendable {
    public var className: String
    public var name: String
    /// Assignments in the order given (resolved property name, value text).
    public var properties: [PropertyAssignment] = []

    public init(className: String, name: String) {
        self.className = className
        self.name = name
    }

    mutating func set(_ p: String, _ r: ValueReader) throws {
        if ["action", "state", "normal"].contains(p), r.text.lowercased().hasPrefix("o") {
            throw r.fail("an open \(className) would change the solution; opening protective devices is not modelled")
        }
        properties.append(PropertyAssignment(property: p, value: r.text))
    }

    /// The accepted classes with OpenDSS's property order (from OpenDSS 0.14.5's class definitions).
    static let classes: [UnmodelledClass] = [
        UnmodelledClass(name: "spectrum", isGeneral: true, propertyNames: ["numharm", "harmonic", "%mag", "angle", "csvfile"]),
        UnmodelledClass(name: "growthshape", isGeneral: true, propertyNames: ["npts", "year", "mult", "csvfile", "sngfile", "dblfile"]),
        UnmodelledClass(name: "tcc_curve", isGeneral: true, propertyNames: ["npts", "c_array", "t_array"]),
        UnmodelledClass(name: "xycurve", isGeneral: true, propertyNames: [
            "npts", "points", "yarray", "xarray", "csvfile", "sngfile", "dblfile", "x", "y", "xshift", "yshift",
            "xscale", "yscale"]),
        UnmodelledClass(name: "tshape", isGeneral: true, propertyNames: [
            "npts", "interval", "temp", "hour", "mean", "stddev", "csvfile", "sngfile", "dblfile", "sinterval",
            "minterval", "action"]),
        UnmodelledClass(name: "priceshape", isGeneral: true, propertyNames: [
            "npts", "interval", "price", "hour", "mean", "stddev", "csvfile", "sngfile", "dblfile", "sinterval",
            "minterval", "action"]),
        UnmodelledClass(name: "fuse", isGeneral: false, propertyNames: [
            "monitoredobj", "monitoredterm", "switchedobj", "switchedterm", "fusecurve", "ratedcurrent", "delay",
            "action", "normal", "state", "basefreq", "enabled"]),
        UnmodelledClass(name: "relay", isGeneral: false, propertyNames: [
            "monitoredobj", "monitoredterm", "switchedobj", "switchedterm", "type", "phasecurve", "groundcurve",
            "phasetrip", "groundtrip", "tdphase", "tdground", "phaseinst", "groundinst", "reset", "shots",
            "recloseintervals", "delay", "overvoltcurve", "undervoltcurve", "kvbase", "47%pickup", "46baseamps",
            "46%pickup", "46isqt", "variable", "overtrip", "undertrip", "breakertime", "action", "z1mag", "z1ang",
            "z0mag", "z0ang", "mphase", "mground", "eventlog", "debugtrace", "distreverse", "normal", "state",
            "doc_tiltanglelow", "doc_tiltanglehigh", "doc_tripsettinglow", "doc_tripsettinghigh",
            "doc_tripsettingmag", "doc_delayinner", "doc_phasecurveinner", "doc_phasetripinner", "doc_tdphaseinner",
            "doc_p1blocking", "basefreq", "enabled"]),
        UnmodelledClass(name: "recloser", isGeneral: false, propertyNames: [
            "monitoredobj", "monitoredterm", "switchedobj", "switchedterm", "numfast", "phasefast", "phasedelayed",
            "groundfast", "grounddelayed", "phasetrip", "groundtrip", "phaseinst", "groundinst", "reset", "shots",
            "recloseintervals", "delay", "action", "tdphfast", "tdgrfast", "tdphdelayed", "tdgrdelayed", "normal",
            "state", "basefreq", "enabled"]),
        UnmodelledClass(name: "swtcontrol", isGeneral: false, propertyNames: [
            "switchedobj", "switchedterm", "action", "lock", "delay", "normal", "state", "reset", "basefreq",
            "enabled"]),
        UnmodelledClass(name: "sensor", isGeneral: false, propertyNames: [
            "element", "terminal", "kvbase", "clear", "kvs", "currents", "kws", "kvars", "conn", "deltadirection",
            "%error", "weight", "basefreq", "enabled"]),
    ]
}

/// One assignment as written: the resolved property name and the value text.
public struct PropertyAssignment: Sendable, Equatable {
    public var property: String
    public var value: String
}

/// A class that is accepted but not modelled: its name, whether it is a general object, its properties.
struct UnmodelledClass {
    var name: String
    var isGeneral: Bool
    var propertyNames: [String]
}
