use super::*;

// ---------------------------------------------------------------------------
// A tiny XML well-formedness checker: balanced tags, quoted and unique
// attributes, valid entity references, one root element.

fn check_entity(s: &str, at: usize) -> Result<usize, String> {
    let rest = &s[at..];
    let end = rest
        .find(';')
        .ok_or_else(|| format!("unterminated entity at {at}"))?;
    let name = &rest[1..end];
    let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
        || (name.starts_with("#x")
            && name.len() > 2
            && name[2..].chars().all(|c| c.is_ascii_hexdigit()))
        || (name.starts_with('#')
            && name.len() > 1
            && name[1..].chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(at + end + 1)
    } else {
        Err(format!("bad entity &{name}; at {at}"))
    }
}

fn check_text(s: &str, from: usize, to: usize) -> Result<(), String> {
    let mut i = from;
    while let Some(off) = s[i..to].find('&') {
        i = check_entity(s, i + off)?;
    }
    for c in s[from..to].chars() {
        let code = c as u32;
        if code < 0x20 && !matches!(c, '\t' | '\n' | '\r') {
            return Err(format!("control character U+{code:04X} in text"));
        }
    }
    Ok(())
}

fn is_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
}

/// Parse one tag body (between `<` and `>`): name and attributes.
fn check_tag(s: &str, from: usize, to: usize) -> Result<(String, bool), String> {
    let mut body = &s[from..to];
    let self_closing = body.ends_with('/');
    if self_closing {
        body = &body[..body.len() - 1];
    }
    let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
    let name = &body[..name_end];
    if !is_name(name) {
        return Err(format!("bad element name {name:?} at {from}"));
    }
    let mut rest = &body[name_end..];
    let mut seen: Vec<&str> = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("attribute without value in <{name}> at {from}"))?;
        let attr = rest[..eq].trim_end();
        if !is_name(attr) {
            return Err(format!("bad attribute name {attr:?} in <{name}>"));
        }
        if seen.contains(&attr) {
            return Err(format!("duplicate attribute {attr} in <{name}>"));
        }
        seen.push(attr);
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next().ok_or("missing attribute value")?;
        if quote != '"' && quote != '\'' {
            return Err(format!("unquoted attribute {attr} in <{name}>"));
        }
        let close = after[1..]
            .find(quote)
            .ok_or("unterminated attribute value")?
            + 1;
        let value = &after[1..close];
        if value.contains('<') {
            return Err(format!("'<' in attribute {attr}"));
        }
        let base =
            s.len() - s[from..].len() + (value.as_ptr() as usize - s[from..].as_ptr() as usize);
        check_text(s, base, base + value.len())?;
        rest = &after[close + 1..];
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return Err(format!("no space after attribute {attr} in <{name}>"));
        }
    }
    Ok((name.to_string(), self_closing))
}

fn check_xml(s: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    while i < s.len() {
        let Some(off) = s[i..].find('<') else {
            check_text(s, i, s.len())?;
            if !s[i..].trim().is_empty() {
                return Err("text after the root element".into());
            }
            break;
        };
        let lt = i + off;
        check_text(s, i, lt)?;
        if stack.is_empty() && !s[i..lt].trim().is_empty() {
            return Err(format!("text outside the root element at {i}"));
        }
        if s[lt..].starts_with("<!--") {
            let end = s[lt..].find("-->").ok_or("unterminated comment")?;
            i = lt + end + 3;
            continue;
        }
        if s[lt..].starts_with("<?") {
            let end = s[lt..]
                .find("?>")
                .ok_or("unterminated processing instruction")?;
            i = lt + end + 2;
            continue;
        }
        // Find the closing '>' outside quotes.
        let mut quote: Option<char> = None;
        let mut gt = None;
        for (k, c) in s[lt + 1..].char_indices() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    gt = Some(lt + 1 + k);
                    break;
                }
                (None, '<') => return Err(format!("'<' inside a tag at {}", lt + 1 + k)),
                _ => {}
            }
        }
        let gt = gt.ok_or("unterminated tag")?;
        if s[lt + 1..].starts_with('/') {
            let name = s[lt + 2..gt].trim();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?} at {lt}")),
            }
        } else {
            let (name, self_closing) = check_tag(s, lt + 1, gt)?;
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name);
            }
        }
        i = gt + 1;
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

#[test]
fn checker_catches_bad_xml() {
    assert!(check_xml("<a><b/></a>").is_ok());
    assert!(check_xml("<a x=\"1\" y='&amp;'>t &lt; u</a>\n").is_ok());
    assert!(check_xml("<a><b></a>").is_err());
    assert!(check_xml("<a>x & y</a>").is_err());
    assert!(check_xml("<a x=\"1\" x=\"2\"/>").is_err());
    assert!(check_xml("<a x=1/>").is_err());
    assert!(check_xml("<a/><b/>").is_err());
    assert!(check_xml("<a x=\"<\"/>").is_err());
}

// ---------------------------------------------------------------------------
// Inputs.

fn likert() -> LikertChart {
    LikertChart {
        title: "Importance of supervision, by stakeholder group".into(),
        min_cell: 5,
        rows: vec![
            LikertRow {
                label: "Peer workers".into(),
                counts: Some([0, 1, 2, 5, 4]),
                figure_id: "ratings/group/peer_worker/supervision".into(),
            },
            LikertRow {
                label: "Managers".into(),
                counts: Some([1, 2, 3, 2, 1]),
                figure_id: "ratings/group/manager/supervision".into(),
            },
            LikertRow {
                label: "Service users".into(),
                counts: None,
                figure_id: "ratings/group/service_user/supervision".into(),
            },
            LikertRow {
                label: "Clinical staff".into(),
                counts: Some([3, 4, 3, 1, 0]),
                figure_id: "ratings/group/clinician/supervision".into(),
            },
        ],
    }
}

fn grid() -> PatternGrid {
    let cond = |s: &str, site: &str, f: &str| Cell {
        condition: s.into(),
        figure_id: format!("patterns/{site}/{f}"),
    };
    PatternGrid {
        title: "Pattern matrix".into(),
        sites: vec!["Site A".into(), "Site B".into(), "Site C".into()],
        factors: vec![
            ("RC".into(), "Clarity of the peer worker role".into()),
            ("SV".into(), "Supervision and team support".into()),
            ("PN".into(), "Peer support among peer workers".into()),
            ("WB".into(), "Support for peer worker wellbeing".into()),
        ],
        cells: vec![
            vec![
                cond("in_place", "Site A", "RC"),
                cond("partly", "Site A", "SV"),
                cond("not_in_place", "Site A", "PN"),
                cond("contested", "Site A", "WB"),
            ],
            vec![
                cond("unknown", "Site B", "RC"),
                cond("in_place", "Site B", "SV"),
                cond("in_place", "Site B", "PN"),
                cond("partly", "Site B", "WB"),
            ],
            // Ragged: Site C has no cell for WB.
            vec![
                cond("not_in_place", "Site C", "RC"),
                cond("dont_know", "Site C", "SV"),
                cond("Partly", "Site C", "PN"),
            ],
        ],
    }
}

fn bars() -> BarChart {
    BarChart {
        title: "Most often ranked in the top three".into(),
        value_label: "Top-three frequency (% of interviewees)".into(),
        unit: BarUnit::Percent,
        min_cell: 5,
        bars: vec![
            Bar {
                label: "Supervision and team support".into(),
                value: Some(62.5),
                figure_id: "top3/supervision".into(),
            },
            Bar {
                label: "Clarity of the peer worker role".into(),
                value: Some(41.0),
                figure_id: "top3/role_clarity".into(),
            },
            Bar {
                label: "Benefits and welfare rights advice".into(),
                value: None,
                figure_id: "top3/welfare".into(),
            },
            Bar {
                label: "Peer support among peer workers".into(),
                value: Some(8.25),
                figure_id: "top3/peer_network".into(),
            },
        ],
    }
}

const HOSTILE: &str = "<Site & \"C\">";
const LONG: &str = "An extraordinarily long label that goes on and on — with ünïcödé and CJK 中文字符 — far past any column";

fn edge_likerts() -> Vec<LikertChart> {
    let row = |label: &str, counts: Option<[u32; 5]>| LikertRow {
        label: label.into(),
        counts,
        figure_id: format!("x/{label}"),
    };
    vec![
        LikertChart::default(),
        LikertChart {
            title: String::new(),
            rows: vec![row("", Some([0; 5]))],
            min_cell: 0,
        },
        LikertChart {
            title: LONG.repeat(3),
            rows: vec![
                row(LONG, Some([u32::MAX; 5])),
                row(HOSTILE, Some([0, 0, 0, 0, 7])),
                row("all neutral", Some([0, 0, 9, 0, 0])),
                row("all low", Some([9, 0, 0, 0, 0])),
                row("small", Some([1, 0, 0, 0, 1])),
                row("\u{1}control\u{7}", None),
            ],
            min_cell: u32::MAX,
        },
        LikertChart {
            title: HOSTILE.into(),
            rows: vec![
                row("one", Some([1, 0, 0, 0, 0])),
                row("three", Some([1, 1, 1, 0, 0])),
            ],
            min_cell: 1,
        },
    ]
}

fn edge_grids() -> Vec<PatternGrid> {
    vec![
        PatternGrid::default(),
        PatternGrid {
            title: "no factors".into(),
            sites: vec!["A".into()],
            factors: vec![],
            cells: vec![],
        },
        PatternGrid {
            title: LONG.into(),
            sites: vec![LONG.into(), HOSTILE.into()],
            factors: vec![(LONG.into(), LONG.into()), (HOSTILE.into(), String::new())],
            cells: vec![
                vec![
                    Cell {
                        condition: HOSTILE.into(),
                        figure_id: HOSTILE.into(),
                    },
                    Cell {
                        condition: String::new(),
                        figure_id: String::new(),
                    },
                    Cell {
                        condition: "extra".into(),
                        figure_id: "extra".into(),
                    },
                ],
                vec![],
                vec![Cell {
                    condition: "in_place".into(),
                    figure_id: "beyond the sites".into(),
                }],
            ],
        },
    ]
}

fn heat() -> HeatMatrix {
    let cell = |v: Option<u32>, row: &str, theme: &str| {
        Some(HeatCell {
            value: v,
            figure_id: format!("framework/site/{row}/{theme}"),
        })
    };
    HeatMatrix {
        title: "Support: who spoke of each theme, by site".into(),
        value_label: "Interviewees who spoke of the theme".into(),
        rows: vec!["Site A".into(), "Site B".into(), "Site C".into()],
        columns: vec![
            ("supervision".into(), "Supervision and team support".into()),
            (
                "peer_network".into(),
                "Peer support among peer workers".into(),
            ),
            (
                "wellbeing".into(),
                "Support for peer worker wellbeing".into(),
            ),
        ],
        cells: vec![
            vec![
                cell(Some(8), "Site A", "supervision"),
                cell(None, "Site A", "peer_network"),
                cell(Some(3), "Site A", "wellbeing"),
            ],
            vec![
                cell(Some(0), "Site B", "supervision"),
                cell(Some(5), "Site B", "peer_network"),
                cell(None, "Site B", "wellbeing"),
            ],
            // Site C has no cell for wellbeing.
            vec![
                cell(Some(4), "Site C", "supervision"),
                cell(Some(6), "Site C", "peer_network"),
                None,
            ],
        ],
        min_cell: 3,
    }
}

fn edge_heats() -> Vec<HeatMatrix> {
    vec![
        HeatMatrix::default(),
        HeatMatrix {
            title: "all suppressed".into(),
            rows: vec!["A".into()],
            columns: vec![("x".into(), String::new())],
            cells: vec![vec![Some(HeatCell {
                value: None,
                figure_id: "a/x".into(),
            })]],
            ..HeatMatrix::default()
        },
        HeatMatrix {
            title: LONG.into(),
            value_label: LONG.into(),
            rows: vec![LONG.into(), HOSTILE.into()],
            columns: vec![(LONG.into(), LONG.into()), (HOSTILE.into(), String::new())],
            cells: vec![
                // Ragged: the second row has no cells at all.
                vec![
                    Some(HeatCell {
                        value: Some(u32::MAX),
                        figure_id: HOSTILE.into(),
                    }),
                    Some(HeatCell {
                        value: Some(0),
                        figure_id: String::new(),
                    }),
                    Some(HeatCell {
                        value: Some(1),
                        figure_id: "beyond the columns".into(),
                    }),
                ],
                vec![],
            ],
            min_cell: 5,
        },
    ]
}

fn edge_bars() -> Vec<BarChart> {
    let bar = |label: &str, value: Option<f64>| Bar {
        label: label.into(),
        value,
        figure_id: format!("b/{label}"),
    };
    vec![
        BarChart::default(),
        BarChart {
            title: HOSTILE.into(),
            value_label: HOSTILE.into(),
            unit: BarUnit::Score,
            min_cell: 0,
            bars: vec![
                bar(LONG, Some(f64::NAN)),
                bar("inf", Some(f64::INFINITY)),
                bar("neg", Some(-3.0)),
                bar("negzero", Some(-0.0)),
                bar("huge", Some(f64::MAX)),
                bar(HOSTILE, None),
            ],
        },
        BarChart {
            unit: BarUnit::Percent,
            bars: vec![bar("over", Some(130.0)), bar("tiny", Some(1e-300))],
            ..BarChart::default()
        },
        BarChart {
            unit: BarUnit::Score,
            bars: vec![bar("a", Some(0.37)), bar("b", Some(0.1))],
            ..BarChart::default()
        },
    ]
}

// ---------------------------------------------------------------------------
// Snapshots: read these by eye when they change.

#[test]
fn likert_snapshot() {
    insta::assert_snapshot!(diverging_likert(&likert()));
}

#[test]
fn grid_snapshot() {
    insta::assert_snapshot!(pattern_grid(&grid()));
}

#[test]
fn bars_snapshot() {
    insta::assert_snapshot!(ranked_bars(&bars()));
}

#[test]
fn heat_snapshot() {
    insta::assert_snapshot!(heat_matrix(&heat()));
}

#[test]
fn text_alternatives() {
    insta::assert_snapshot!(format!(
        "{}\n\n{}\n\n{}\n\n{}",
        likert().text_alternative(),
        grid().text_alternative(),
        bars().text_alternative(),
        heat().text_alternative()
    ));
}

// ---------------------------------------------------------------------------
// Properties.

fn all_svgs() -> Vec<String> {
    let mut out = vec![
        diverging_likert(&likert()),
        pattern_grid(&grid()),
        ranked_bars(&bars()),
        heat_matrix(&heat()),
    ];
    out.extend(edge_heats().iter().map(heat_matrix));
    out.extend(edge_likerts().iter().map(diverging_likert));
    out.extend(edge_grids().iter().map(pattern_grid));
    out.extend(edge_bars().iter().map(ranked_bars));
    out
}

#[test]
fn every_chart_is_well_formed_and_accessible() {
    for svg in all_svgs() {
        if let Err(e) = check_xml(&svg) {
            panic!("{e}\n{svg}");
        }
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
        assert!(svg.contains(" width=\"100%\""));
        assert!(svg.contains(" role=\"img\""));
        assert!(svg.contains("<title id=") && svg.contains("<desc id="));
        for bad in ["=\"NaN", "=\"inf", "=\"-inf", "-0.00", ">NaN", "0.00inf"] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
    }
}

#[test]
fn output_is_identical_across_calls() {
    assert_eq!(
        diverging_likert(&likert()),
        diverging_likert(&likert().clone())
    );
    assert_eq!(pattern_grid(&grid()), pattern_grid(&grid().clone()));
    assert_eq!(ranked_bars(&bars()), ranked_bars(&bars().clone()));
    assert_eq!(all_svgs(), all_svgs());
}

fn attr(tag: &str, name: &str) -> Option<f64> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    tag[start..end].parse().ok()
}

/// Widths of the category segments in each row group, by figure id.
fn segment_widths(svg: &str) -> Vec<(String, Vec<f64>)> {
    let mut rows = Vec::new();
    for group in svg.split("<g id=\"fig-").skip(1) {
        let id = group.split('"').next().unwrap_or_default().to_string();
        let body = group.split("</g>").next().unwrap_or_default();
        let widths: Vec<f64> = body
            .split("<rect ")
            .skip(1)
            .filter(|r| r.starts_with("data-category="))
            .filter_map(|r| attr(r, "width"))
            .collect();
        rows.push((id, widths));
    }
    rows
}

#[test]
fn likert_segments_fill_the_whole_bar() {
    let mut charts = edge_likerts();
    charts.push(likert());
    // Every split of 7 responses into 5 categories: awkward thirds and sevenths.
    let mut rows = Vec::new();
    for a in 0..=7u32 {
        for b in 0..=7 - a {
            for c in 0..=7 - a - b {
                for d in 0..=7 - a - b - c {
                    rows.push(LikertRow {
                        label: format!("{a}{b}{c}{d}"),
                        counts: Some([a, b, c, d, 7 - a - b - c - d]),
                        figure_id: format!("r/{a}{b}{c}{d}"),
                    });
                }
            }
        }
    }
    charts.push(LikertChart {
        title: "sevens".into(),
        rows,
        min_cell: 1,
    });
    let mut checked = 0;
    for chart in &charts {
        let svg = diverging_likert(chart);
        let drawn: Vec<_> = segment_widths(&svg)
            .into_iter()
            .filter(|(_, w)| !w.is_empty())
            .collect();
        let Some((_, first)) = drawn.first() else {
            continue;
        };
        let full: f64 = first.iter().sum();
        assert!(
            [300.0, 400.0, 600.0]
                .iter()
                .any(|f| (full - f).abs() < 0.01),
            "full width {full}"
        );
        for (id, widths) in &drawn {
            let sum: f64 = widths.iter().sum();
            assert!(
                (sum - full).abs() < 0.01,
                "{id}: {widths:?} sums to {sum}, not {full}"
            );
            checked += 1;
        }
    }
    assert!(checked > 300);
    // The example's widest side is 77% (Clinical staff: 7 of 11 low, plus half of 3 neutral).
    let example = segment_widths(&diverging_likert(&likert()));
    let sum: f64 = example[0].1.iter().sum();
    assert!((sum - 300.0).abs() < 0.01, "{sum}");
}

#[test]
fn likert_suppresses_missing_and_small_rows() {
    let svg = diverging_likert(&likert());
    assert_eq!(svg.matches(">suppressed (fewer than 5)</text>").count(), 1);
    let small = LikertChart {
        title: "t".into(),
        rows: vec![LikertRow {
            label: "few".into(),
            counts: Some([1, 1, 0, 0, 1]),
            figure_id: "f".into(),
        }],
        min_cell: 5,
    };
    let svg = diverging_likert(&small);
    assert!(svg.contains(">suppressed (fewer than 5)</text>"));
    assert!(!svg.contains("data-category"));
    assert!(
        small
            .text_alternative()
            .contains("few: suppressed (fewer than 5).")
    );
}

#[test]
fn escaping_reaches_every_text() {
    assert_eq!(escape(HOSTILE), "&lt;Site &amp; &quot;C&quot;&gt;");
    assert_eq!(escape("it's\u{0}"), "it&apos;s\u{FFFD}");
    let likert = LikertChart {
        title: HOSTILE.into(),
        rows: vec![LikertRow {
            label: HOSTILE.into(),
            counts: Some([1, 2, 3, 4, 5]),
            figure_id: HOSTILE.into(),
        }],
        min_cell: 1,
    };
    let grid = PatternGrid {
        title: HOSTILE.into(),
        sites: vec![HOSTILE.into()],
        factors: vec![(HOSTILE.into(), HOSTILE.into())],
        cells: vec![vec![Cell {
            condition: HOSTILE.into(),
            figure_id: HOSTILE.into(),
        }]],
    };
    let bars = BarChart {
        title: HOSTILE.into(),
        value_label: HOSTILE.into(),
        bars: vec![Bar {
            label: HOSTILE.into(),
            value: Some(1.0),
            figure_id: HOSTILE.into(),
        }],
        ..BarChart::default()
    };
    for svg in [
        diverging_likert(&likert),
        pattern_grid(&grid),
        ranked_bars(&bars),
    ] {
        check_xml(&svg).unwrap();
        assert!(
            !svg.contains("<Site") && !svg.contains("& \"") && !svg.contains("\"C\""),
            "{svg}"
        );
        assert!(svg.contains("&lt;Site &amp; &quot;C&quot;&gt;"));
        assert!(
            svg.contains("<g id=\"fig-_3c_Site-_26_-_22_C_22__3e_\">"),
            "{svg}"
        );
    }
}

#[test]
fn ids_are_sanitised() {
    assert_eq!(
        sanitise_id("ratings/site/Site C/supervision"),
        "ratings-site-Site-C-supervision"
    );
    assert_eq!(sanitise_id("Site Ö"), "Site-_d6_");
    assert_eq!(sanitise_id(""), "");
}

#[test]
fn conditions_parse_leniently() {
    assert_eq!(Condition::parse(" In place "), Condition::InPlace);
    assert_eq!(Condition::parse("in-place"), Condition::InPlace);
    assert_eq!(Condition::parse("PARTLY"), Condition::Partly);
    assert_eq!(Condition::parse("not in place"), Condition::NotInPlace);
    assert_eq!(Condition::parse("contested"), Condition::Contested);
    assert_eq!(Condition::parse("don't know"), Condition::Unknown);
    assert_eq!(Condition::parse("9"), Condition::Unknown);
    assert_eq!(Condition::parse("whatever"), Condition::Unknown);
    for c in Condition::ALL {
        assert_eq!(Condition::parse(c.code()), c);
    }
}

#[test]
fn every_mark_carries_its_figure_id() {
    let svg = diverging_likert(&likert());
    for row in likert().rows {
        assert!(svg.contains(&format!(
            "<g id=\"fig-{}\"><title>{}: ",
            sanitise_id(&row.figure_id),
            row.figure_id
        )));
    }
    let svg = pattern_grid(&grid());
    assert_eq!(svg.matches("<g id=\"fig-patterns-Site-").count(), 11);
    assert!(svg.contains("<title>patterns/Site A/RC: In place</title>"));
    let svg = ranked_bars(&bars());
    assert!(svg.contains("<g id=\"fig-top3-supervision\"><title>top3/supervision: 62.5%</title>"));
}

/// The x and y of a group's `transform="translate(x,y)"`.
fn translate(tag: &str) -> Option<(f64, f64)> {
    let start = tag.find("translate(")? + "translate(".len();
    let end = start + tag[start..].find(')')?;
    let (x, y) = tag[start..end].split_once(',')?;
    Some((x.trim().parse().ok()?, y.trim().parse().ok()?))
}

/// Marks (rectangles, lines, circles, text anchors) that fall outside the
/// chart's viewBox or have a negative size, with the `translate` of the
/// groups they are in applied.
fn outside_the_frame(svg: &str) -> Vec<String> {
    let view = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .unwrap_or_default();
    let size: Vec<f64> = view.split(' ').filter_map(|n| n.parse().ok()).collect();
    let [frame_w, frame_h] = size[..] else {
        return vec![format!("no viewBox: {view:?}")];
    };
    let within = |at: f64, len: f64, frame: f64| at >= -0.01 && at + len <= frame + 0.01;
    let mut offsets = vec![(0.0, 0.0)];
    let mut outside = Vec::new();
    for piece in svg.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap_or_default();
        let name = tag.split([' ', '/']).next().unwrap_or_default();
        let (dx, dy) = offsets.last().copied().unwrap_or((0.0, 0.0));
        if tag == "/g" {
            offsets.pop();
            continue;
        }
        if name == "g" {
            let (tx, ty) = translate(tag).unwrap_or((0.0, 0.0));
            offsets.push((dx + tx, dy + ty));
            continue;
        }
        if !matches!(name, "rect" | "line" | "circle" | "text") {
            continue;
        }
        let width = attr(tag, "width").unwrap_or(0.0);
        let height = attr(tag, "height").unwrap_or(0.0);
        let mut fits = width >= 0.0 && height >= 0.0;
        for x in ["x", "x1", "x2", "cx"].iter().filter_map(|a| attr(tag, a)) {
            fits &= within(dx + x, width, frame_w);
        }
        for y in ["y", "y1", "y2", "cy"].iter().filter_map(|a| attr(tag, a)) {
            fits &= within(dy + y, height, frame_h);
        }
        if !fits {
            outside.push(format!(
                "<{tag}> (offset {dx}, {dy}) in {frame_w} x {frame_h}"
            ));
        }
    }
    outside
}

/// What the charts draw when the data are awkward (nothing to show, values
/// no bar can show, labels too long for their column, rows too small to
/// publish): every mark stays inside the picture, and the chart says in
/// words what it could not draw.
#[test]
fn awkward_charts_stay_in_frame_and_say_what_they_cannot_draw() {
    for svg in all_svgs() {
        assert_eq!(outside_the_frame(&svg), Vec::<String>::new(), "{svg}");
    }
    // The check sees a mark outside the picture.
    let shifted = ranked_bars(&bars()).replacen("<rect x=\"266.80\"", "<rect x=\"700.00\"", 1);
    assert_eq!(outside_the_frame(&shifted).len(), 1);

    // Nothing to show, said in the text alternative.
    assert!(diverging_likert(&LikertChart::default()).contains("No rows to show.</desc>"));
    assert!(pattern_grid(&PatternGrid::default()).contains("No cells to show.</desc>"));
    assert!(ranked_bars(&BarChart::default()).contains(">No bars to show.</desc>"));

    // A row of zeros is "no responses", not an empty bar.
    let zeros = diverging_likert(&edge_likerts()[1]);
    assert!(zeros.contains("<title>x/: no responses</title>"), "{zeros}");
    assert!(!zeros.contains("data-category="), "{zeros}");

    // Below the smallest publishable count, every row is suppressed and
    // says so; the one row above it (five times u32::MAX responses) is drawn.
    let small = diverging_likert(&edge_likerts()[2]);
    assert_eq!(
        small
            .matches(">suppressed (fewer than 4294967295)</text>")
            .count(),
        5
    );
    assert_eq!(small.matches("data-category=").count(), 5);
    assert!(
        small.contains("n = 21474836475; 1 20.0%; 2 20.0%"),
        "{small}"
    );

    // Values no bar can show: NaN and infinity read n/a, a negative value
    // is labelled but has no bar, -0 reads 0.0, and the largest finite
    // value (f64::MAX) gets the whole plot width.
    let odd = ranked_bars(&edge_bars()[1]);
    let bar_of = |id: &str| -> (f64, String) {
        let group = odd
            .split(&format!("<g id=\"fig-{id}\">"))
            .nth(1)
            .and_then(|g| g.split("</g>").next())
            .unwrap_or_else(|| panic!("no bar {id} in {odd}"));
        let width = group
            .split("<rect ")
            .nth(1)
            .and_then(|r| attr(r, "width"))
            .unwrap_or_else(|| panic!("{id}: no rect in {group}"));
        let label = group
            .rsplit("font-size=\"11\">")
            .next()
            .and_then(|t| t.split("</text>").next())
            .unwrap_or_default()
            .to_string();
        (width, label)
    };
    assert_eq!(bar_of("b-inf"), (0.0, "n/a".to_string()));
    assert_eq!(bar_of("b-neg"), (0.0, "-3.0".to_string()));
    assert_eq!(bar_of("b-negzero"), (0.0, "0.0".to_string()));
    assert_eq!(bar_of("b-huge"), (400.0, "1.80e308".to_string()));
    assert!(
        odd.contains(&format!("<title>b/{}: n/a</title>", escape(LONG))),
        "NaN reads n/a: {odd}"
    );
    // A percentage above 100 stretches the axis past 100% rather than
    // drawing outside it: 130% is 1.3 times the width of the 100% mark.
    let over = ranked_bars(&edge_bars()[2]);
    assert!(
        over.contains(
            "<title>b/over: 130.0%</title><rect x=\"62.00\" y=\"41.00\" width=\"260.00\""
        )
    );

    // A label too long for its column is cut with an ellipsis, and the
    // whole label is kept as the mark's tooltip.
    for svg in [
        diverging_likert(&edge_likerts()[2]),
        pattern_grid(&edge_grids()[2]),
        ranked_bars(&edge_bars()[1]),
    ] {
        assert!(
            svg.contains(&format!(
                "<title>{}</title>An extraordinarily long label tha…</text>",
                escape(LONG)
            )),
            "{svg}"
        );
    }
}

// ---------------------------------------------------------------------------
// The heat map.

/// The body of the mark of one figure id: `<g id="fig-...">...</g>`.
fn mark<'s>(svg: &'s str, figure_id: &str) -> &'s str {
    svg.split(&format!("<g id=\"fig-{}\">", sanitise_id(figure_id)))
        .nth(1)
        .and_then(|g| g.split("</g>").next())
        .unwrap_or_else(|| panic!("no mark {figure_id} in {svg}"))
}

/// The lightness (Rec. 601 luma, 0-255) of an `rgb(r,g,b)` fill.
fn luma(fill: &str) -> f64 {
    let inner = fill
        .strip_prefix("rgb(")
        .and_then(|f| f.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not rgb(): {fill}"));
    let ch: Vec<f64> = inner
        .split(',')
        .map(|c| c.parse().expect("a channel"))
        .collect();
    0.299 * ch[0] + 0.587 * ch[1] + 0.114 * ch[2]
}

#[test]
fn heat_cells_show_their_numbers_and_suppressed_cells_a_hatched_dash() {
    let svg = heat_matrix(&heat());
    // Every cell is a mark with its figure id, its number written in it.
    let a = mark(&svg, "framework/site/Site A/supervision");
    assert!(
        a.starts_with("<title>framework/site/Site A/supervision: 8</title>"),
        "{a}"
    );
    assert!(a.contains(">8</text>"), "{a}");
    let b = mark(&svg, "framework/site/Site B/supervision");
    assert!(b.contains(">0</text>"), "{b}");
    // Suppressed: hatched, a dash, said in the tooltip.
    for id in [
        "framework/site/Site A/peer_network",
        "framework/site/Site B/wellbeing",
    ] {
        let m = mark(&svg, id);
        assert!(m.contains("fill=\"url(#chart-heat-"), "{m}");
        assert!(m.contains("-suppressed) #ffffff\""), "{m}");
        assert!(m.contains(">–</text>"), "{m}");
        assert!(
            m.contains(": suppressed (fewer than 3, or to protect such a cell)</title>"),
            "{m}"
        );
    }
    assert_eq!(svg.matches(">–</text>").count(), 2);
    // The legend says what the hatch and dash mean, and the ragged cell is no data.
    assert!(svg.contains(">– suppressed (fewer than 3, or to protect such a cell)</text>"));
    assert!(svg.contains("<title>Site C, wellbeing: no data</title>"));
    assert!(svg.contains(">8 (most)</text>"));
    assert_eq!(heat().max_value(), 8);
}

#[test]
fn heat_shading_darkens_as_the_count_rises() {
    // Lightness falls strictly with the count, 0 to the largest.
    let lumas: Vec<f64> = (0..=12).map(|v| luma(&charts_shade(v, 12))).collect();
    for pair in lumas.windows(2) {
        assert!(pair[1] < pair[0], "{lumas:?}");
    }
    assert_eq!(charts_shade(0, 12), "rgb(245,245,245)");
    assert_eq!(charts_shade(12, 12), "rgb(0,60,48)");
    // No division by zero when nothing is published.
    assert_eq!(charts_shade(0, 0), "rgb(245,245,245)");
    // In the chart: the cell of 8 is darker than that of 4, 4 than 3, 3 than 0.
    let svg = heat_matrix(&heat());
    let fill_of = |id: &str| {
        let m = mark(&svg, id);
        m.split("fill=\"")
            .nth(1)
            .and_then(|f| f.split('"').next())
            .unwrap_or_default()
            .to_string()
    };
    let order = [
        "Site A/supervision",
        "Site C/supervision",
        "Site A/wellbeing",
        "Site B/supervision",
    ];
    let l: Vec<f64> = order
        .iter()
        .map(|k| luma(&fill_of(&format!("framework/site/{k}"))))
        .collect();
    assert!(l[0] < l[1] && l[1] < l[2] && l[2] < l[3], "{l:?}");
    // Numbers on the darkest cells are white, on light ones dark.
    assert!(mark(&svg, "framework/site/Site A/supervision").contains("fill=\"#ffffff\">8<"));
    assert!(mark(&svg, "framework/site/Site A/wellbeing").contains("fill=\"#222222\">3<"));
}

fn charts_shade(v: u32, max: u32) -> String {
    crate::heat::shade(v, max).0
}

#[test]
fn heat_text_alternative_lists_every_cell() {
    let alt = heat().text_alternative();
    assert!(alt.starts_with("Support: who spoke of each theme, by site. Heat map of 3 rows by 3 columns: Interviewees who spoke of the theme"), "{alt}");
    assert!(
        alt.contains(" Site A: supervision 8, wellbeing 3; suppressed: peer_network."),
        "{alt}"
    );
    assert!(
        alt.contains(" Site B: supervision 0, peer_network 5; suppressed: wellbeing."),
        "{alt}"
    );
    assert!(
        alt.contains(" Site C: supervision 4, peer_network 6; no data: wellbeing."),
        "{alt}"
    );
    assert!(heat_matrix(&HeatMatrix::default()).contains("No cells to show.</desc>"));
    // The alternative is the chart's desc.
    assert!(heat_matrix(&heat()).contains(&format!("<desc id=\"{}", "chart-heat-")));
}
