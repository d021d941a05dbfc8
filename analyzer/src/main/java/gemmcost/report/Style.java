package gemmcost.report;

/** The report's style sheet (constant: no user input). */
final class Style {
    static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px 32px;color:#222;max-width:1200px}
            h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
            h3{font-size:15px;margin:16px 0 6px}.meta{color:#555}
            table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
            td:first-child,th:first-child{text-align:left}table.kv th{text-align:left;color:#555;font-weight:normal}
            table.kv td{text-align:left}tr.worse td:nth-child(4){color:#b3261e;font-weight:600}
            tr.better td:nth-child(4){color:#1b7a33;font-weight:600}
            .scroll{overflow-x:auto}svg text{font-size:11px;fill:#333}.row-label{font-size:11px}
            .axis line{stroke:#e4e4e4}.axis line.zero{stroke:#888}.lane{fill:#f7f7f7}
            .op.gemm{fill:#4e79a7}.op.attention{fill:#59a14f}.op.memory{fill:#76b7b2}.op.communication{fill:#f28e2b}.op.given{fill:#9c9c9c}.op.unknown{fill:#d0d0d0}
            .op.critical{fill:#d62728}.makespan{stroke:#222;stroke-dasharray:4 3}
            .legend .swatch{display:inline-block;width:12px;height:12px;margin:0 4px -2px 12px}
            .swatch.gemm{background:#4e79a7}.swatch.attention{background:#59a14f}.swatch.memory{background:#76b7b2}.swatch.communication{background:#f28e2b}
            .swatch.critical{background:#d62728}
            .sites{display:flex;flex-wrap:wrap;gap:8px}.chart-title{font-weight:600}
            .roofline{fill:none;stroke:#999;stroke-width:1.5}.estimate{stroke-width:2}
            .estimate.measured,.estimate.interpolated{stroke:#4e79a7}.estimate.extrapolated{stroke:#e15759;stroke-dasharray:4 3}
            .estimate.modeled{stroke:#999;stroke-dasharray:2 2}circle.measured{fill:#222}
            .sweep .series{fill:none;stroke-width:2}.sweep circle.series{stroke:none}
            .series.experts{stroke:#4e79a7}circle.series.experts{fill:#4e79a7}.series.dense{stroke:#9c755f}
            circle.series.dense{fill:#9c755f}.claimed{stroke:#d62728;stroke-dasharray:5 4}.claimed-label{fill:#d62728}
            svg text.axis-title{font-size:11px;fill:#555}nav{margin:8px 0 4px}nav a{margin-right:14px}
            .summary td,.summary th{text-align:left}
            """;

    private Style() {
    }
}
