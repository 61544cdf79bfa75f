// Owns the report's inline CSS: readable on screen and in print, no web fonts, no external files.

extension HTMLReport {
    /// The report's CSS (also used by the sweep report, so both pages look alike).
    public static let stylesheet = """
    :root { color-scheme: light; }
    body { margin: 0; background: #f4f5f7; color: #1d2330; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
    main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 40px; background: #fff; }
    h1 { font-size: 1.6em; margin: 0 0 12px; }
    h2 { font-size: 1.25em; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d9dde5; }
    p { margin: 8px 0; }
    code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; background: #f0f1f4; padding: 1px 4px; border-radius: 3px; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0 0; }
    dl.facts dt { font-weight: 600; color: #4a5263; }
    dl.facts dd { margin: 0; }
    p.glance { margin: 18px 0 0; padding: 10px 14px; background: #eef4fb; border-left: 4px solid #1f77b4; border-radius: 3px; }
    table { border-collapse: collapse; margin: 10px 0; font-size: 0.93em; }
    th, td { padding: 5px 10px; border-bottom: 1px solid #e3e6ec; text-align: left; vertical-align: top; }
    thead th { background: #eef0f4; border-bottom: 2px solid #cfd4de; font-weight: 600; }
    table.numbers td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    table.numbers td.unit { text-align: left; color: #5a6273; }
    table.numbers tbody th { font-weight: 500; }
    table.numbers thead th { text-align: center; }
    .paper { background: #fbf7ea; }
    thead th.paper { background: #f3ead0; }
    table.compact td, table.compact th { padding: 3px 9px; }
    table.runs td { vertical-align: baseline; }
    td.hash { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.8em; word-break: break-all; }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 18px; }
    figure { margin: 0; padding: 8px; border: 1px solid #e3e6ec; border-radius: 6px; background: #fff; }
    figure.wide { grid-column: 1 / -1; }
    .panel { padding: 8px 4px; }
    table.facts-table th { font-weight: 600; color: #4a5263; }
    figure svg { display: block; width: 100%; height: auto; }
    figcaption { font-size: 0.88em; color: #4a5263; margin-top: 4px; }
    p.downloads { font-size: 0.85em; margin: 4px 0 0; color: #4a5263; }
    table.numbers td.direction { white-space: normal; text-align: left; min-width: 220px; }
    td.direction.differs { color: #9b1c1c; }
    span.reason { color: #3a4150; font-size: 0.9em; }
    ul.reasons li { margin: 4px 0; }
    p.note, p.missing { color: #5a6273; font-size: 0.9em; }
    p.missing { padding: 40px 0; text-align: center; }
    .status { display: inline-block; min-width: 64px; padding: 1px 8px; border-radius: 10px; font-size: 0.85em; font-weight: 600; text-align: center; }
    .status.pass { background: #dcf3e3; color: #17663a; }
    .status.fail { background: #fbdcdc; color: #9b1c1c; }
    .status.warning { background: #fdf0cf; color: #7a5300; }
    .status.skipped { background: #eceef2; color: #555d6e; }
    ul.notes { margin: 8px 0; padding-left: 22px; color: #3a4150; }
    footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid #e3e6ec; color: #6a7284; font-size: 0.85em; }
    @media print { body { background: #fff; } main { padding: 0; } .figures { grid-template-columns: 1fr 1fr; } }

    """
}
