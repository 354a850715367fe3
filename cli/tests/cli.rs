//! The `leadscore` binary, run as a user would.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns panic by design

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The binary with a clean environment: only `PATH`, `HOME` and `TMPDIR`
/// are kept, so a developer's exported `LEADSCORE_*` or `AWS_*` settings (a
/// Slack webhook, an event bus, a store) can never reach a test run.
fn leadscore() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leadscore"));
    c.env_clear();
    for key in ["PATH", "HOME", "TMPDIR"] {
        if let Some(v) = std::env::var_os(key) {
            c.env(key, v);
        }
    }
    c
}

struct Env {
    _dir: tempfile::TempDir,
    db: PathBuf,
    dir: PathBuf,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            db: dir.path().join("test.db"),
            dir: dir.path().to_path_buf(),
            _dir: dir,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        leadscore()
            .current_dir(root())
            .arg("--db")
            .arg(&self.db)
            .args(["--now", "2026-10-10T00:00:00Z"])
            .args(args)
            .output()
            .unwrap()
    }

    fn file(&self, name: &str, content: &[u8]) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, content).unwrap();
        p.display().to_string()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn seed(env: &Env) {
    for kind in ["leads", "activities"] {
        let o = env.run(&["import", kind, &format!("examples/seed-example/{kind}.csv")]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

/// The scored leads are listed with their names and titles (who to call),
/// in the table and the JSON; a column no lead has is left out.
#[test]
fn leads_are_listed_with_their_names_and_titles() {
    let env = Env::new();
    seed(&env);
    assert!(env.run(&["score"]).status.success());
    let out = stdout(&env.run(&["leads"]));
    let header = out.lines().next().unwrap();
    assert!(header.starts_with("EMAIL"), "{out}");
    assert!(header.contains("NAME, TITLE"), "{out}");
    let dana = out.lines().find(|l| l.contains("dana.reyes@")).unwrap();
    assert!(dana.contains("Dana Reyes, Director of Marketing"), "{out}");
    let dana = leads_json_row(&env, "dana.reyes@northwind-analytics.com");
    assert_eq!(dana["name"], "Dana Reyes");
    assert_eq!(dana["title"], "Director of Marketing");

    // A tab or a line break in a name shows as a space; a direction
    // override (which would show the name reversed) as `�`, in the table,
    // in `explain` and in the report.
    let odd = Env::new();
    let leads = odd.file(
        "odd.csv",
        "email,first_name,last_name,title\nann@acme-widgets.com,\u{202E}Ann,Lee,\"Director of\tMarketing\"\n".as_bytes(),
    );
    assert!(odd.run(&["import", "leads", &leads]).status.success());
    assert!(odd.run(&["score"]).status.success());
    let out = stdout(&odd.run(&["leads"]));
    assert!(
        out.contains("\u{FFFD}Ann Lee, Director of Marketing"),
        "{out}"
    );
    assert!(!out.contains('\u{202E}'), "{out}");
    let out = stdout(&odd.run(&["explain", "ann@acme-widgets.com"]));
    assert!(out.contains("title:   Director of Marketing"), "{out}");
    assert!(!out.contains('\u{202E}'), "{out}");
    let page = odd.dir.join("r.html");
    let o = odd.run(&["report", "--html", &page.display().to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("\u{FFFD}Ann"), "the name is in the report");
    assert!(!html.contains('\u{202E}'));

    // Wide and combining characters keep the columns after them in line.
    let wide = Env::new();
    let leads = wide.file(
        "wide.csv",
        "email,first_name,last_name,title\nyamada@acme-widgets.com,山田,太郎,営業部長\nnoel@acme-widgets.com,Jose\u{301},Noe\u{308}l,VP Sales\nann@acme-widgets.com,Ann,Lee,CEO\n".as_bytes(),
    );
    assert!(wide.run(&["import", "leads", &leads]).status.success());
    assert!(wide.run(&["score"]).status.success());
    let out = stdout(&wide.run(&["leads"]));
    let starts: Vec<usize> = out
        .lines()
        .skip(1)
        .map(|l| unicode_width::UnicodeWidthStr::width(&l[..l.find("  acme-widgets.com").unwrap()]))
        .collect();
    assert_eq!(starts.len(), 3, "{out}");
    assert!(starts.iter().all(|&s| s == starts[0]), "{starts:?}\n{out}");

    // More leads than are read one at a time: all leads are read at once.
    let many = Env::new();
    let mut csv = String::from("email,first_name,title\n");
    for i in 0..201 {
        csv.push_str(&format!("p{i}@acme-widgets.com,Pat{i},CTO\n"));
    }
    let leads = many.file("many.csv", csv.as_bytes());
    assert!(many.run(&["import", "leads", &leads]).status.success());
    assert!(many.run(&["score"]).status.success());
    let out = stdout(&many.run(&["leads"]));
    assert_eq!(out.lines().count(), 202, "{out}");
    assert!(
        out.lines()
            .skip(1)
            .all(|l| l.contains(", CTO") && l.contains("Pat")),
        "{out}"
    );

    // Leads with neither: no such column, and no such fields.
    let bare = Env::new();
    let leads = bare.file("bare.csv", b"email\nraj@acme-widgets.com\n");
    assert!(bare.run(&["import", "leads", &leads]).status.success());
    assert!(bare.run(&["score"]).status.success());
    let out = stdout(&bare.run(&["leads"]));
    assert!(!out.contains("NAME"), "{out}");
    assert!(out.contains("raj@acme-widgets.com"), "{out}");
    let v: serde_json::Value =
        serde_json::from_slice(&bare.run(&["leads", "--json"]).stdout).unwrap();
    assert!(
        v[0].get("name").is_none() && v[0].get("title").is_none(),
        "{v}"
    );
}

/// `explain` says what a cap cut a rule's points from.
#[test]
fn explain_says_what_a_cap_cut() {
    let env = Env::new();
    seed(&env);
    let model = std::fs::read_to_string(root().join("examples/seed-example/model.toml")).unwrap();
    assert!(model.contains("points = 10\ncap = 30"));
    let capped = env.file(
        "capped.toml",
        model
            .replace("points = 10\ncap = 30", "points = 10\ncap = 15")
            .as_bytes(),
    );
    assert!(env.run(&["score", "--model", &capped]).status.success());
    let o = env.run(&["explain", "dana.reyes@northwind-analytics.com"]);
    let out = stdout(&o);
    assert!(
        out.contains("+15.0  Viewed the pricing page [capped from +20.0]"),
        "{out}"
    );
    assert!(out.contains("give `--model FILE` of"), "{out}");
    // With the score's model: which cap, and how the points make the
    // score.
    let o = env.run(&[
        "explain",
        "dana.reyes@northwind-analytics.com",
        "--model",
        &capped,
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("+15.0  Viewed the pricing page [capped by the rule's cap from +20.0]"),
        "{out}"
    );
    assert!(out.contains("fit: +35.0 points of 50 → 70.0"), "{out}");
    assert!(
        out.contains("engagement: +40.0 points of 50 → 80.0"),
        "{out}"
    );
    assert!(
        out.contains("total: 0.50 × fit 70.0 + 0.50 × engagement 80.0 = 75.0"),
        "{out}"
    );
    // A penalty past a half's 0 counts as 0, and says so.
    let penalty = env.file(
        "penalty.toml",
        model.replace("points = -15", "points = -60").as_bytes(),
    );
    assert!(env.run(&["score", "--model", &penalty]).status.success());
    let o = env.run(&["explain", "sam.ito@tinyloop.io", "--model", &penalty]);
    assert!(
        stdout(&o).contains("fit: -25.0 points of 50 → 0.0 (a half is never below 0"),
        "{}",
        stdout(&o)
    );
}

/// The row of `email` in `leads --json`.
fn leads_json_row(env: &Env, email: &str) -> serde_json::Value {
    let o = env.run(&["leads", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == email)
        .cloned()
        .unwrap_or_else(|| panic!("no {email} in {v}"))
}

/// A disqualified lead scores 0 and is cold; `explain` says which rule did
/// it, and still shows what the lead scored otherwise; `leads` gives that
/// rule as the top reason.
#[test]
fn explain_says_what_disqualified_a_lead() {
    let env = Env::new();
    seed(&env);
    let model = std::fs::read_to_string(root().join("examples/seed-example/model.toml")).unwrap();
    let rule = "\n[[rule]]\nid = \"competitor\"\nlabel = \"Works at a competitor\"\nlead = \"email_domain\"\nequals = \"northwind-analytics.com\"\npoints = -1\ndisqualify = true\n";
    let model = env.file("dq.toml", format!("{model}{rule}").as_bytes());
    assert!(env.run(&["score", "--model", &model]).status.success());
    let o = env.run(&[
        "explain",
        "dana.reyes@northwind-analytics.com",
        "--model",
        &model,
    ]);
    let out = stdout(&o);
    assert!(out.contains("score:   0.0 cold"), "{out}");
    assert!(
        out.contains(
            "disqualified: Works at a competitor (email_domain = northwind-analytics.com)"
        ),
        "{out}"
    );
    assert!(out.contains("-1.0  Works at a competitor"), "{out}");
    assert!(out.contains("+20.0  Viewed the pricing page"), "{out}");
    assert!(out.contains("total: 0.0 (disqualified)"), "{out}");
    let dana = leads_json_row(&env, "dana.reyes@northwind-analytics.com");
    assert_eq!(dana["total"], 0.0, "{dana}");
    assert_eq!(dana["top_reasons"][0], "Works at a competitor", "{dana}");
    // The report says so, and counts her in no grade's cell.
    let html = env.dir.join("report.html");
    let o = env.run(&[
        "report",
        "--html",
        html.to_str().unwrap(),
        "--model",
        &model,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("disqualified: Works at a competitor"),
        "{page}"
    );
    assert!(
        page.contains("Not counted: 1 disqualified lead(s)."),
        "{page}"
    );
}

/// `alerts dismiss` clears pending alerts without sending them (one held
/// for a channel removed for good would fail every delivery forever).
#[test]
fn alerts_dismiss_clears_pending_alerts_without_sending() {
    let env = Env::new();
    seed(&env);
    assert!(
        env.run(&["score", "--model", "examples/seed-example/model.toml"])
            .status
            .success()
    );
    let pending: serde_json::Value =
        serde_json::from_slice(&env.run(&["alerts", "--json"]).stdout).unwrap();
    let id = pending[0]["id"].as_str().unwrap().to_owned();
    let o = env.run(&["alerts", "dismiss", "no-such-alert"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = env.run(&["alerts", "dismiss", &id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("dismissed 1 alert(s)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&env.run(&["alerts"])).trim(), "no pending alerts");
    let o = env.run(&["alerts", "deliver"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing sent: {}", stdout(&o));
}

/// `score --dry-run` with an edited model shows the crossings it would
/// alert on and writes nothing.
#[test]
fn a_dry_run_shows_a_model_edit_s_crossings_and_writes_nothing() {
    let env = Env::new();
    seed(&env);
    let model = std::fs::read_to_string(root().join("examples/seed-example/model.toml")).unwrap();
    assert!(
        env.run(&["score", "--model", "examples/seed-example/model.toml"])
            .status
            .success()
    );
    let leads_before = stdout(&env.run(&["leads", "--json"]));
    let alerts_before = stdout(&env.run(&["alerts", "--json"]));
    // Hot from 60: Sam (65, warm) would become hot.
    let lower = env.file(
        "lower.toml",
        model.replace("hot = 80", "hot = 60").as_bytes(),
    );
    let o = env.run(&["score", "--dry-run", "--model", &lower]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.starts_with("dry run, nothing written: 2 lead(s)"),
        "{out}"
    );
    assert!(
        out.contains("(2 last scored with another model); 1 would become hot, 0 would cool"),
        "{out}"
    );
    assert!(out.contains("sam.ito@"), "{out}");
    assert!(out.contains("would queue 1 alert(s)"), "{out}");
    assert_eq!(stdout(&env.run(&["leads", "--json"])), leads_before);
    assert_eq!(stdout(&env.run(&["alerts", "--json"])), alerts_before);
    // An edit that moves scores inside their tiers: each move shown.
    let heavier = env.file(
        "heavier.toml",
        model.replace("points = -15", "points = -5").as_bytes(),
    );
    let o = env.run(&["score", "--dry-run", "--model", &heavier]);
    let out = stdout(&o);
    assert!(
        out.contains("0 would change tier\n1 lead(s) would change score within their tier:\n  sam.ito@tinyloop.io: warm 65.0 -> 75.0 (+10.0)"),
        "{out}"
    );

    // A report made with another model than the scores' says so.
    let page = env.dir.join("r.html");
    let page_arg = page.display().to_string();
    let o = env.run(&["report", "--html", &page_arg]);
    assert!(o.status.success());
    assert!(
        std::fs::read_to_string(&page)
            .unwrap()
            .contains("id=\"model-mismatch\"")
    );
    assert!(
        stderr(&o).contains("warning: the scores were computed with another model (seed-example@"),
        "{}",
        stderr(&o)
    );
    let same = [
        "report",
        "--html",
        &page_arg,
        "--model",
        "examples/seed-example/model.toml",
    ];
    let o = env.run(&same);
    assert!(o.status.success());
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(
        !std::fs::read_to_string(&page)
            .unwrap()
            .contains("model-mismatch")
    );

    // Scored for real, the model change is named beside its crossings.
    let o = env.run(&["score", "--model", &lower]);
    assert!(
        stderr(&o).contains("1 became hot")
            && stderr(&o).contains("2 lead(s) were last scored with another model"),
        "{}",
        stderr(&o)
    );
}

/// A `--now` in the future is warned about where scores are written: what
/// they score pins every later rescoring of those leads to that instant.
#[test]
fn a_future_now_is_warned_about() {
    let env = Env::new();
    let with_now = |args: &[&str]| {
        leadscore()
            .arg("--db")
            .arg(&env.db)
            .args(["--now", "2999-01-01T00:00:00Z"])
            .args(args)
            .output()
            .unwrap()
    };
    let o = with_now(&["score"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: --now 2999-01-01T00:00:00Z is in the future"),
        "{}",
        stderr(&o)
    );
    // Commands that write no score say nothing of it.
    for args in [&["leads"][..], &["score", "--dry-run"]] {
        let o = with_now(args);
        assert!(
            !stderr(&o).contains("warning: --now"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let past = env.run(&["score"]);
    assert!(
        !stderr(&past).contains("warning: --now"),
        "{}",
        stderr(&past)
    );
}

#[test]
fn worked_example_prints_80_and_hot() {
    let env = Env::new();
    seed(&env);
    let o = env.run(&[
        "score",
        "--model",
        "examples/seed-example/model.toml",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["email"], "dana.reyes@northwind-analytics.com");
    assert_eq!(v[0]["total"], 80.0);
    assert_eq!(v[0]["tier"], "hot");
    assert_eq!(v[1]["total"], 65.0);
    assert_eq!(v[1]["tier"], "warm");
    assert!(stderr(&o).contains("1 became hot"), "{}", stderr(&o));

    let o = env.run(&["leads", "--tier", "hot"]);
    let out = stdout(&o);
    assert!(
        out.contains("dana.reyes@northwind-analytics.com") && !out.contains("sam.ito"),
        "{out}"
    );
    // No cold lead: the others are named, not a `score` to run.
    let o = env.run(&["leads", "--tier", "cold"]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("no cold leads; 2 scored lead(s) in other tiers"),
        "{}",
        stderr(&o)
    );

    let o = env.run(&["explain", "dana.reyes@northwind-analytics.com"]);
    let out = stdout(&o);
    for needle in [
        "80.0 hot",
        "+20.0  Director-level title",
        "+25.0  Attended a webinar",
        "page_viewed /pricing (×2",
        "https://leadscore.example/webinars/pipeline-2026",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }

    let o = env.run(&["alerts", "--json"]);
    let alerts: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["kind"], "became_hot");
    let o = env.run(&["alerts", "deliver"]);
    assert_eq!(stdout(&o).lines().count(), 1);
    let o = env.run(&["alerts", "deliver"]);
    assert_eq!(
        stdout(&o).lines().count(),
        0,
        "delivered alerts are not delivered again"
    );
}

#[test]
fn default_model_scores_and_rescoring_does_not_realert() {
    let env = Env::new();
    seed(&env);
    let first = env.run(&["score", "--json"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("2 changed"), "{}", stderr(&first));
    let again = env.run(&["score", "--json"]);
    assert!(
        stderr(&again).contains("0 changed") && stderr(&again).contains("0 became hot"),
        "{}",
        stderr(&again)
    );
    // A model that makes a lead hot alerts once: rescoring the same data
    // adds no alert.
    let model = ["--model", "examples/seed-example/model.toml"];
    let hot = env.run(&[&["score"][..], &model[..]].concat());
    assert!(stderr(&hot).contains("1 became hot"), "{}", stderr(&hot));
    let alerts = |env: &Env| {
        let o = env.run(&["alerts", "--json"]);
        serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout)
            .unwrap()
            .len()
    };
    assert_eq!(alerts(&env), 1);
    let again = env.run(&[&["score"][..], &model[..]].concat());
    assert!(
        stderr(&again).contains("0 became hot"),
        "{}",
        stderr(&again)
    );
    assert_eq!(alerts(&env), 1);
}

#[test]
fn bad_rows_are_reported_with_line_numbers_and_good_rows_imported() {
    let env = Env::new();
    let f = env.file(
        "leads.csv",
        b"email,title,employees\nok@acme.com,CEO,12\nbroken,CEO,3\nfine@beta.io,VP Sales,lots\nalso@gamma.dev,CTO,40\n",
    );
    let o = env.run(&["import", "leads", &f]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(err.contains("leads.csv:3: `email`"), "{err}");
    assert!(err.contains("leads.csv:4: `employees`"), "{err}");
    assert!(stdout(&o).contains("2 row(s) ok (2 new"), "{}", stdout(&o));
    let o = env.run(&["import", "leads", &f]);
    assert!(
        stdout(&o).contains("2 row(s) ok (0 new, 2 already known)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn encodings_are_explained_and_accepted() {
    let env = Env::new();
    let f = env.file(
        "latin1.csv",
        b"email,title\nana@acme.es,Directora de Compa\xf1ia\n",
    );
    let o = env.run(&["import", "leads", &f]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("--encoding windows-1252"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["import", "leads", &f, "--encoding", "windows-1252"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // An encoding label nobody knows is a bad option value.
    let o = env.run(&["import", "leads", &f, "--encoding", "klingon"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown encoding `klingon`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn model_check_reports_file_line_and_reason() {
    let env = Env::new();
    let good = env.run(&["model", "check", "data/models/default.toml"]);
    assert!(good.status.success());
    assert!(stdout(&good).contains("ok — model default@"));
    let bad = env.file(
        "bad.toml",
        br#"name = "bad"
[scale]
fit_max = 100
engagement_max = 100
[weights]
fit = 1
engagement = 1
[tiers]
hot = 80
warm = 50
[grades]
fit = [75, 50, 25]
engagement = [75, 50, 25]

[[rule]]
id = "r1"
lead = "shoe_size"
points = 5
"#,
    );
    let o = env.run(&["model", "check", &bad]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("bad.toml:15:1: rule `r1`: unknown lead field `shoe_size`"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["score", "--model", &bad]);
    assert_eq!(o.status.code(), Some(3));
    // A value no lead has loads, with a warning at its line.
    let odd = env.file(
        "odd.toml",
        std::fs::read_to_string(&bad)
            .unwrap()
            .replace(
                r#"lead = "shoe_size""#,
                "lead = \"seniority\"\nequals = \"vp_level\"",
            )
            .as_bytes(),
    );
    let o = env.run(&["model", "check", &odd]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: ")
            && stderr(&o).contains("odd.toml:15:1: rule `r1`: `vp_level` is no seniority"),
        "{}",
        stderr(&o)
    );
    // With a problem too, the warning still shows: one check lists all.
    let both = env.file(
        "both.toml",
        std::fs::read_to_string(&odd)
            .unwrap()
            .replace(
                "points = 5",
                "points = 5\n[[rule]]\nid = \"r2\"\nlead = \"shoe_size\"\npoints = 1",
            )
            .as_bytes(),
    );
    let o = env.run(&["model", "check", &both]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("warning: ")
            && stderr(&o).contains("both.toml:15:1: rule `r1`: `vp_level` is no seniority")
            && stderr(&o).contains("rule `r2`: unknown lead field `shoe_size`"),
        "{}",
        stderr(&o)
    );
    // Saved in Windows-1252: the line of the first byte that is not UTF-8.
    let latin1 = env.file("latin1.toml", b"name = \"m\"\n# r\xe9gl\xe9\n");
    let o = env.run(&["model", "check", &latin1]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("latin1.toml:2: not UTF-8 text"),
        "{}",
        stderr(&o)
    );
}

/// `demo` always runs on a local SQLite file: a `--store` it would not
/// use is refused, not ignored (DynamoDB left untouched while the user
/// thinks it was filled).
#[test]
fn demo_refuses_a_store_it_would_not_use() {
    let dir = tempfile::tempdir().unwrap();
    let o = leadscore()
        .current_dir(dir.path())
        .args(["--store", "dynamodb:leads", "demo"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--store is not used"), "{}", stderr(&o));
    assert!(!dir.path().join("leadscore-demo.db").exists());
}

#[test]
fn unknown_lead_exits_4_and_usage_errors_exit_2() {
    let env = Env::new();
    seed(&env);
    let o = env.run(&["explain", "nobody@acme.com"]);
    assert_eq!(o.status.code(), Some(4));
    let o = env.run(&["explain", "not-an-email"]);
    assert_eq!(o.status.code(), Some(3));
    let o = env.run(&["leads", "--tier", "boiling"]);
    assert_eq!(o.status.code(), Some(2));
    let o = env.run(&["import", "leads", "/nonexistent/file.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("reading /nonexistent/file.csv"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn dynamodb_store_through_the_standard_aws_environment() {
    let moto = leadscore_testkit::moto();
    let table = leadscore_testkit::unique("cli-leads");
    let run = |args: &[&str]| {
        leadscore()
            .current_dir(root())
            .args([
                "--store",
                &format!("dynamodb:{table}"),
                "--now",
                "2026-10-10T00:00:00Z",
            ])
            .args(args)
            .env("AWS_ENDPOINT_URL", &moto.endpoint)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap()
    };
    let o = run(&["store", "init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("created"), "{}", stdout(&o));
    assert!(stdout(&run(&["store", "init"])).contains("already exists"));
    for kind in ["leads", "activities"] {
        let o = run(&["import", kind, &format!("examples/seed-example/{kind}.csv")]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = run(&[
        "score",
        "--model",
        "examples/seed-example/model.toml",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v[0]["total"].as_f64(), v[0]["tier"].as_str()),
        (Some(80.0), Some("hot"))
    );
    let o = run(&["alerts", "--json"]);
    let alerts: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(alerts.as_array().unwrap().len(), 1);
}

#[test]
fn store_flags_are_validated() {
    let env = Env::new();
    let o = env.run(&["--store", "postgres:x", "leads"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected sqlite:PATH or dynamodb:TABLE"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["--store", "dynamodb:a", "leads"]);
    assert_eq!(o.status.code(), Some(2));
}

mod enrichment {
    use super::*;
    use leadscore_testkit::site::{Route, Site};

    const HOME: &str = r#"<html><head><script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/4242.js"></script></head>
<body><a href="/pricing">Pricing</a></body></html>"#;

    fn run_async(env: &Env, args: &[&str]) -> Output {
        // The fixture server runs on this test's runtime; the CLI is a child process.
        env.run(args)
    }

    /// A site that cannot be reached for now (a closed port on loopback)
    /// is not enriched: nothing is stored, the account stays due, and the
    /// command exits 1, as `run` counts it. An address is no company's
    /// domain: refused before anything is fetched.
    #[test]
    fn enrich_fails_for_a_site_it_cannot_reach_and_refuses_addresses() {
        let env = Env::new();
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let down = [
            "enrich",
            &format!("http://down.test:{port}/"),
            "--resolve",
            "down.test=127.0.0.1",
            "--allow-private-network",
        ];
        let o = env.run(&down);
        assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("not stored"), "{}", stdout(&o));
        assert!(
            stderr(&o).contains("1 account(s) could not be enriched"),
            "{}",
            stderr(&o)
        );
        // Again: still no page, still a failure (now stored, as the site
        // has been unreachable before).
        let o = env.run(&down);
        assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
        for address in ["127.0.0.1", "https://10.0.0.1/about", "10.1", "0x7f.0.0.1"] {
            let o = env.run(&["enrich", address]);
            assert_eq!(o.status.code(), Some(3), "{address}: {}", stderr(&o));
            assert!(stderr(&o).contains("is an IP address"), "{}", stderr(&o));
        }
        let o = env.run(&["enrich", "http://[::1]/"]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        let o = env.run(&["leads", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn enrich_stores_a_snapshot_and_rescores_the_account() {
        let site = Site::start().await;
        site.route("/", Route::html(HOME))
            .route("/pricing", Route::html("<h1>Plans</h1>"));
        let env = Env::new();
        let leads = env.file(
            "leads.csv",
            b"email,title,industry,employees\ncto@northwind.test,VP Marketing,Software,120\n",
        );
        assert!(env.run(&["import", "leads", &leads]).status.success());
        let url = format!("{}/", site.url("northwind.test"));
        let resolve = format!("northwind.test={}", site.addr.ip());

        // Without the opt-in, loopback is refused: the page error is typed,
        // and with no page fetched the account is not enriched (exit 1, as
        // `run` counts it).
        let o = tokio::task::spawn_blocking({
            let (db, url, resolve) = (env.db.clone(), url.clone(), resolve.clone());
            move || {
                leadscore()
                    .args(["--db".as_ref(), db.as_os_str()])
                    .args(["enrich", &url, "--resolve", &resolve])
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stdout(&o).contains("blocked_address"), "{}", stdout(&o));
        assert!(site.hits().is_empty(), "nothing reached the loopback site");

        let o = tokio::task::spawn_blocking({
            let (db, url, resolve) = (env.db.clone(), url.clone(), resolve.clone());
            move || {
                leadscore()
                    .args(["--db".as_ref(), db.as_os_str()])
                    .args([
                        "enrich",
                        &url,
                        "--resolve",
                        &resolve,
                        "--allow-private-network",
                        "--json",
                    ])
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v[0]["domain"], "northwind.test");
        let techs: Vec<&str> = v[0]["technologies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(techs.contains(&"HubSpot"), "{techs:?}");
        assert_eq!(v[0]["rescored"]["scored"], 1);
        let o = run_async(&env, &["explain", "cto@northwind.test", "--json"]);
        let explained = String::from_utf8_lossy(&o.stdout);
        assert!(
            explained.contains("tech-hubspot"),
            "the default model scores the detected HubSpot: {explained}"
        );
    }

    #[test]
    fn inspect_tech_reads_saved_pages() {
        let env = Env::new();
        let page = env.file("page.html", HOME.as_bytes());
        let headers = env.file(
            "headers.txt",
            b"HTTP/1.1 200 OK\nX-HS-Hub-Id: 4242\nSet-Cookie: hubspotutk=abc; Path=/\n",
        );
        let o = env.run(&[
            "inspect",
            "tech",
            &page,
            "--url",
            "https://northwind.example/",
            "--headers",
            &headers,
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let tech = &v[0]["tech"][0];
        assert_eq!(tech["name"], "HubSpot");
        assert!(tech["evidence"].as_array().unwrap().len() >= 2, "{tech}");
        let o = env.run(&["inspect", "tech", &page]);
        assert!(
            stdout(&o).contains("HubSpot [Marketing automation]"),
            "{}",
            stdout(&o)
        );
        // The configuration's fingerprint files count, as for `enrich`.
        let custom = env.file(
            "ours.json",
            br#"{"Acme Chat": {"cats": [52], "scriptSrc": "chat\\.acme-widgets\\.test/"}}"#,
        );
        let config = env.file(
            "leadscore.toml",
            format!("fingerprints = [{custom:?}]\n").as_bytes(),
        );
        let with_chat = env.file(
            "chat.html",
            b"<html><head><script src=\"https://chat.acme-widgets.test/v1.js\"></script></head></html>",
        );
        let o = env.run(&["--config", &config, "inspect", "tech", &with_chat]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("Acme Chat"), "{}", stdout(&o));
        let o = env.run(&["inspect", "tech", &with_chat]);
        assert!(!stdout(&o).contains("Acme Chat"), "{}", stdout(&o));
        // The shipped files print no warning; a value of the wrong form in
        // the user's file is named, and the rest of the entry is read.
        assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
        let odd = env.file(
            "odd.json",
            br#"{"Acme Chat": {"cookies": "acme_sid", "scriptSrc": ["chat\\.acme-widgets\\.test/", 3]}}"#,
        );
        let o = env.run(&["inspect", "tech", &with_chat, "--fingerprints", &odd]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("Acme Chat"), "{}", stdout(&o));
        assert!(
            stderr(&o).contains(
                "warning: fingerprints: \
                 {odd}: Acme Chat cookies: a string, not an object of patterns (ignored)"
                    .replace("{odd}", &odd)
                    .as_str()
            ),
            "{}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains("Acme Chat scriptSrc[1]: a number, not a string (skipped)"),
            "{}",
            stderr(&o)
        );
        // A file that is no JSON stops the command, its reason said once
        // (not again for each error that wraps it).
        let broken = env.file("broken.json", br#"{"Acme Chat": {"html": "\q"}}"#);
        let o = env.run(&["inspect", "tech", &with_chat, "--fingerprints", &broken]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_eq!(
            stderr(&o).trim(),
            format!(
                "error: fingerprints: {broken}: invalid JSON: invalid escape at line 1 column 26"
            ),
        );
        // A page nesting deeper than a fetched page may is read up to
        // there, as the fetcher reads one (a million nested `<div>`s
        // would hold the parser for hours), and says so.
        let deep = env.file(
            "deep.html",
            format!(
                "<html><head><script id=\"hs-script-loader\" src=\"//js.hs-scripts.com/4242.js\"></script></head><body>{}</body></html>",
                "<div>".repeat(5_000)
            )
            .as_bytes(),
        );
        let o = env.run(&["inspect", "tech", &deep]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("HubSpot"), "{}", stdout(&o));
        assert!(
            stderr(&o).contains("nest deeper than 1024 levels"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn inspect_jobs_parses_saved_ats_responses() {
    let env = Env::new();
    let fixtures = "shared/leadscore-hiring/tests/fixtures";
    let o = env.run(&[
        "inspect",
        "jobs",
        &format!("{fixtures}/greenhouse_jobs.json"),
        "--ats",
        "greenhouse",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["ats"].as_str(), v["open_roles"].as_u64()),
        (Some("greenhouse"), Some(2))
    );
    let ae = v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == "Account Executive, DACH")
        .unwrap();
    assert_eq!(
        (ae["department"].as_str(), ae["location"].as_str()),
        (Some("sales"), Some("Berlin, Germany"))
    );
    assert_eq!(v["signals"]["sales_roles"], 1);
    let o = env.run(&[
        "inspect",
        "jobs",
        &format!("{fixtures}/greenhouse_truncated.json"),
        "--ats",
        "greenhouse",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("malformed greenhouse payload"),
        "{}",
        stderr(&o)
    );
    // Cut short: no hint about the ATS. Another ATS's answer: a hint.
    assert!(!stderr(&o).contains("is `--ats"), "{}", stderr(&o));
    let o = env.run(&[
        "inspect",
        "jobs",
        &format!("{fixtures}/greenhouse_jobs.json"),
        "--ats",
        "lever",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o)
            .contains("not the shape of a lever job list: is `--ats lever` the ATS that answered"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&[
        "inspect",
        "jobs",
        &format!("{fixtures}/smartrecruiters_unknown.json"),
        "--ats",
        "smartrecruiters",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains(
            "lists no roles: this smartrecruiters board has no openings or does not exist"
        ),
        "{}",
        stderr(&o)
    );
}

/// `inspect jobs` takes leadscore.toml's `taxonomy` as `enrich` does, and a
/// relative path in the file is read from the file's folder, not the
/// working one.
#[test]
fn inspect_jobs_reads_the_config_s_taxonomy_from_the_config_s_folder() {
    let env = Env::new();
    let conf = env.dir.join("conf");
    std::fs::create_dir_all(&conf).unwrap();
    let shipped = std::fs::read_to_string(root().join("data/taxonomy/titles.toml")).unwrap();
    std::fs::write(
        conf.join("titles.toml"),
        format!("{shipped}\n[[trap]]\nphrase = \"revenue ninja\"\ndepartment = \"legal\"\n"),
    )
    .unwrap();
    std::fs::write(conf.join("leadscore.toml"), "taxonomy = \"titles.toml\"\n").unwrap();
    let board = env.file(
        "board.json",
        br#"{"jobs":[{"id":1,"title":"Revenue Ninja","absolute_url":"https://boards.greenhouse.io/acme/jobs/1","location":{"name":"Remote"},"departments":[],"first_published":"2026-11-01T00:00:00Z"}]}"#,
    );
    let config = conf.join("leadscore.toml").display().to_string();
    let o = env.run(&["inspect", "jobs", &board, "--ats", "greenhouse", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("legal"), "{}", stdout(&o));
    let o = env.run(&[
        "--config",
        &config,
        "inspect",
        "jobs",
        &board,
        "--ats",
        "greenhouse",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"legal\""), "{}", stdout(&o));
}

#[test]
fn scraped_text_cannot_send_escape_sequences_to_the_terminal() {
    // A board's job title carrying an OSC 8 hyperlink and a screen clear.
    let env = Env::new();
    let board = env.file(
        "board.json",
        br#"{"jobs":[{"id":1,"title":"AE\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u001b[2J","absolute_url":"https://boards.greenhouse.io/acme/jobs/1","location":{"name":"Remote"},"departments":[{"name":"Sales"}],"first_published":"2026-11-01T00:00:00Z"}]}"#,
    );
    let o = env.run(&["inspect", "jobs", &board, "--ats", "greenhouse"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("AE"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
}

#[test]
fn inspect_funding_reads_saved_articles() {
    let env = Env::new();
    let fixtures = "shared/leadscore-news/tests/fixtures";
    let text = env.file(
        "article.txt",
        b"Acme raises EUR 12 million Series A led by Foo Ventures\n\nAcme is also in talks to raise $100 million.\n",
    );
    let o = env.run(&[
        "inspect",
        "funding",
        &format!("{fixtures}/press.html"),
        &text,
        "--published",
        "2026-11-20",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let files = v.as_array().unwrap();
    assert_eq!(files.len(), 2);
    let html = &files[0]["funding"][0];
    assert_eq!(
        (
            html["amount"].as_u64(),
            html["currency"].as_str(),
            html["round"].as_str()
        ),
        (Some(18_000_000), Some("USD"), Some("series_a"))
    );
    assert_eq!(html["announced_on"], "2026-11-02");
    assert_eq!(html["lead_investors"][0], "Foo Ventures");
    let txt = files[1]["funding"].as_array().unwrap();
    assert_eq!(txt.len(), 1, "the rumour is not a round: {txt:?}");
    assert_eq!(txt[0]["currency"], "EUR");
    assert_eq!(txt[0]["announced_on"], "2026-11-20");

    let o = env.run(&["inspect", "funding", &format!("{fixtures}/plain.html")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("news.leadership_hire"),
        "{}",
        stdout(&o)
    );

    let o = env.run(&["inspect", "funding", &text, "--published", "2026-13-40"]);
    assert!(!o.status.success());
}

/// The address a `serve` child listens on, from its first line on stderr
/// (read; the rest of stderr stays the child's).
fn serve_address(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    // The rest is drained, so the child never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    line.split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned()
}

/// A model where a VP who submits a form is hot (20 of 20 fit, 10 of 10
/// engagement), for the alert tests.
const HOT_MODEL: &[u8] = br#"name = "hot-vp"
[scale]
fit_max = 20
engagement_max = 10
[weights]
fit = 0.5
engagement = 0.5
[tiers]
hot = 70
warm = 40
hysteresis = 5
[grades]
fit = [70, 45, 25]
engagement = [75, 50, 25]
[[rule]]
id = "vp"
label = "VP-level title"
lead = "seniority"
equals = "vp"
points = 20
[[rule]]
id = "form"
label = "Submitted a form"
activity = "form_submitted"
points = 10
"#;

/// `serve` runs the form-submit Lambda's code locally: a submit is stored
/// and scored, the same submit again is a duplicate, `GET /leads` lists the
/// lead, and an alert for a lead that crosses the threshold is printed once.
#[test]
fn serve_takes_form_submits_and_lists_leads() {
    use std::io::{Read, Write};
    let env = Env::new();
    let model = env.file("hot.toml", HOT_MODEL);
    let smtp = leadscore_testkit::smtp::SmtpSink::start();
    let mut child = leadscore()
        .current_dir(root())
        .arg("--db")
        .arg(&env.db)
        .args(["serve", "--port", "0", "--model", &model])
        .args([
            "--smtp-url",
            &smtp.url(),
            "--email-to",
            "sales@acme.example",
        ])
        .args(["--email-from", "leadscore <alerts@acme.example>"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = serve_address(&mut child);
    let request = |method: &str, path: &str, body: &str| -> (u16, serde_json::Value) {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let status = raw.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = raw.split("\r\n\r\n").nth(1).unwrap_or("");
        (
            status,
            serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
        )
    };
    let form = r#"{"email":"ada@acme.example","name":"Ada Lovelace","title":"VP of Sales","consent":true}"#;
    let (status, body) = request("POST", "/submit", form);
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["duplicate"], false);
    let (_, again) = request("POST", "/submit", form);
    assert_eq!(again["duplicate"], true);
    let (status, body) = request("POST", "/submit", r#"{"email":"nope"}"#);
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "email");
    let (status, leads) = request("GET", "/leads", "");
    assert_eq!(status, 200);
    assert_eq!(request("PUT", "/leads", "").0, 405);
    assert_eq!(request("HEAD", "/leads", "").0, 200);
    assert_eq!(leads.as_array().unwrap().len(), 1, "{leads}");
    // A page whose name was made to resolve to 127.0.0.1 (DNS rebinding)
    // reads nothing: on loopback, only loopback names are served.
    {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET /leads HTTP/1.1\r\nhost: rebind.evil.example:{}\r\nconnection: close\r\n\r\n",
            addr.rsplit(':').next().unwrap()
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        assert!(raw.starts_with("HTTP/1.1 421"), "{raw}");
        assert!(!raw.contains("ada@acme.example"), "{raw}");
    }
    // A form post forwarded under a public name (a tunnel) is taken.
    {
        let body = r#"{"email":"bo@acme.example","consent":true}"#;
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "POST /submit HTTP/1.1\r\nhost: forms.example.com\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        assert!(raw.starts_with("HTTP/1.1 202"), "{raw}");
    }
    // A client that stops mid-head is disconnected, and one that stops
    // mid-body is answered 408, after the server's read timeout (10 s); the
    // 60 s here only bound the test if it never happens.
    let stalled = |partial: String| {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
                .unwrap();
            s.write_all(partial.as_bytes()).unwrap();
            let mut raw = Vec::new();
            s.read_to_end(&mut raw)
                .map(|_| String::from_utf8_lossy(&raw).into_owned())
        })
    };
    let mid_head = stalled(format!("POST /submit HTTP/1.1\r\nhost: {addr}\r\ncontent-"));
    let mid_body = stalled(format!(
        "POST /submit HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"email\":"
    ));
    let head = mid_head.join().unwrap();
    assert!(head.is_ok(), "the stalled head was never cut: {head:?}");
    let body = mid_body
        .join()
        .unwrap()
        .expect("the stalled body got no answer");
    assert!(body.starts_with("HTTP/1.1 408"), "{body}");
    // Alerts go out after the answer: wait for the email (bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while smtp.mails().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let alerts: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("ada@acme.example"))
        .collect();
    assert_eq!(alerts.len(), 1, "one alert line: {out}");
    child.wait().unwrap();
    // The same alert as one email over SMTP, multipart text + HTML.
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].from, "alerts@acme.example");
    assert_eq!(mails[0].to, vec!["sales@acme.example".to_owned()]);
    let data = &mails[0].data;
    assert!(data.contains("Subject: "), "{data}");
    assert!(data.contains("Ada Lovelace"), "{data}");
    assert!(data.contains("text/html"), "{data}");
    assert!(data.contains("VP-level title"), "{data}");
}

/// A webhook on loopback: each request's body, as it came. It answers
/// `status`, or never (`None`: a Slack that hangs).
fn loopback_webhook(
    status: Option<u16>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/services/T0/B0/x", listener.local_addr().unwrap());
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = bodies.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut s in listener.incoming().flatten() {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while let Ok(k) = s.read(&mut chunk) {
                if k == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..k]);
                let text = String::from_utf8_lossy(&buf).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        seen.lock().unwrap().push(body.to_owned());
                        break;
                    }
                }
            }
            match status {
                Some(code) => {
                    let _ = write!(
                        s,
                        "HTTP/1.1 {code} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                    );
                }
                None => held.push(s),
            }
        }
    });
    (url, bodies)
}

/// An alert whose Slack delivery failed is not marked delivered by an
/// `alerts deliver` run without the webhook (stdout alone took it): it is
/// held, said so, and `alerts` shows why it is pending; with the webhook
/// it goes to Slack, and stdout does not print it again.
#[test]
fn alerts_deliver_holds_an_alert_for_the_channel_that_failed() {
    let env = Env::new();
    let model = env.file("hot.toml", HOT_MODEL);
    let leads = env.file(
        "leads.csv",
        b"email,first_name,last_name,title\nada@acme.example,Ada,Lovelace,VP of Sales\n",
    );
    let acts = env.file(
        "acts.csv",
        b"email,kind,occurred_at\nada@acme.example,form_submitted,2026-10-01T00:00:00Z\n",
    );
    assert!(env.run(&["import", "leads", &leads]).status.success());
    assert!(env.run(&["import", "activities", &acts]).status.success());
    let o = env.run(&["score", "--model", &model]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (failing, _) = loopback_webhook(Some(500));
    let o = env.run(&["alerts", "deliver", "--slack-webhook", &failing]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("ada@acme.example"), "stdout took it");
    let o = env.run(&["alerts"]);
    assert!(
        stdout(&o).contains("failed 1 time(s); last: slack: HTTP 500"),
        "{}",
        stdout(&o)
    );
    // Without the webhook: held, not delivered.
    let o = env.run(&["alerts", "deliver"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "1 alert(s) held: their last delivery failed on slack, which this command was not given (--slack-webhook)"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("ada@acme.example"), "{}", stdout(&o));
    let o = env.run(&["alerts", "--json"]);
    let pending: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(pending[0]["attempts"], 1, "{pending}");
    assert_eq!(pending[0]["last_error"], "slack: HTTP 500", "{pending}");
    // With it: to Slack, and not to stdout again.
    let (working, posted) = loopback_webhook(Some(200));
    let o = env.run(&["alerts", "deliver", "--slack-webhook", &working]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("ada@acme.example"), "{}", stdout(&o));
    assert_eq!(posted.lock().unwrap().len(), 1);
    assert_eq!(stdout(&env.run(&["alerts"])).trim(), "no pending alerts");
}

/// `serve` delivers the alerts left pending when it starts, without
/// waiting for a form submit; and a stop while a Slack send hangs (SIGTERM
/// here, as a service manager sends; a Ctrl-C is the same) releases that
/// send's claim, so the next start delivers the alert at once (it waited
/// for the claim's 5-minute lease, and each drain meanwhile 30 s on it).
#[test]
fn serve_delivers_pending_alerts_at_start_and_releases_cut_sends_when_stopped() {
    use std::io::{Read, Write};
    let env = Env::new();
    let model = env.file("hot.toml", HOT_MODEL);
    let start = |webhook: &str| {
        let mut child = leadscore()
            .current_dir(root())
            .arg("--db")
            .arg(&env.db)
            .args(["serve", "--port", "0", "--model", &model])
            .args(["--slack-webhook", webhook])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let addr = serve_address(&mut child);
        (child, addr)
    };
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !done() {
            assert!(
                std::time::Instant::now() < deadline,
                "waited 60 s for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    // A Slack that takes the post and never answers.
    let (hanging, hung) = loopback_webhook(None);
    let (mut child, addr) = start(&hanging);
    let form = r#"{"email":"ada@acme.example","name":"Ada Lovelace","title":"VP of Sales","consent":true}"#;
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /submit HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 202"), "{raw}");
    wait_for("the hanging Slack to get the post", &|| {
        !hung.lock().unwrap().is_empty()
    });
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let mut first = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut first)
        .unwrap();
    child.wait().unwrap();
    assert_eq!(
        first
            .lines()
            .filter(|l| l.contains("ada@acme.example"))
            .count(),
        1,
        "stdout took the alert: {first}"
    );
    // Started again with a Slack that answers, and no submit: the pending
    // alert goes to Slack (not to stdout again).
    let (working, posted) = loopback_webhook(Some(200));
    // A webhook that is no http(s) URL is a usage error.
    for webhook in ["ftp://hooks.example/x", "http://hooks.example/x"] {
        // No http(s) URL, or its secret path in the clear to another host.
        let o = env.run(&["serve", "--port", "0", "--slack-webhook", webhook]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("https://"), "{}", stderr(&o));
    }
    let (mut child, _) = start(&working);
    wait_for("the alert to reach Slack after the restart", &|| {
        !posted.lock().unwrap().is_empty()
    });
    child.kill().unwrap();
    let mut second = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut second)
        .unwrap();
    child.wait().unwrap();
    assert!(!second.contains("ada@acme.example"), "{second}");
    let posts = posted.lock().unwrap();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(posts[0].contains("Ada Lovelace"), "{posts:?}");
}

/// `serve --trusted-proxy`: posts from a trusted proxy on this machine count
/// against the client its `X-Forwarded-For` names (the rightmost address
/// that is not a trusted proxy), so one client over the limit gets 429 and
/// another does not; posts naming no client count against the proxy. A
/// value that is no address or network is a usage error. `GET /leads`
/// through a proxy (a forwarding header, `Host` rewritten to loopback) is
/// refused.
#[test]
fn serve_counts_the_clients_a_trusted_proxy_names() {
    use std::io::{Read, Write};
    let env = Env::new();
    let o = env.run(&["serve", "--port", "0", "--trusted-proxy", "proxy.local"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not an address or network"),
        "{}",
        stderr(&o)
    );
    let mut child = leadscore()
        .current_dir(root())
        .arg("--db")
        .arg(&env.db)
        .args(["serve", "--port", "0", "--rate-limit", "2"])
        .args([
            "--trusted-proxy",
            "127.0.0.1",
            "--trusted-proxy",
            "10.0.0.0/8",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = serve_address(&mut child);
    let post = |forwarded: Option<&str>| -> u16 {
        let body = r#"{"email":"ada@acme.example","consent":true}"#;
        let header = forwarded.map_or(String::new(), |f| format!("x-forwarded-for: {f}\r\n"));
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "POST /submit HTTP/1.1\r\nhost: forms.example.com\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{header}connection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        raw.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let leads = |forwarded: Option<&str>| -> u16 {
        let header = forwarded.map_or(String::new(), |f| format!("x-forwarded-for: {f}\r\n"));
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET /leads HTTP/1.1\r\nhost: {addr}\r\n{header}connection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        raw.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let statuses: Vec<u16> = (0..3)
        .map(|_| post(Some("6.6.6.6, 198.51.100.7, 10.0.0.2")))
        .collect();
    let other = post(Some("203.0.113.9"));
    let unnamed: Vec<u16> = (0..3).map(|_| post(None)).collect();
    let (local, proxied) = (leads(None), leads(Some("198.51.100.7")));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(statuses, [202, 202, 429]);
    assert_eq!(other, 202);
    assert_eq!(unnamed, [202, 202, 429]);
    assert_eq!((local, proxied), (200, 421));
}

/// A model where a VP is cold (33) until the account is found running
/// HubSpot, then hot (100): `run` tests turn leads hot by enrichment alone.
const VP_AND_HUBSPOT_MODEL: &[u8] = br#"name = "run-test"
[scale]
fit_max = 30
engagement_max = 10
[weights]
fit = 1.0
engagement = 0.0
[tiers]
hot = 70
warm = 40
hysteresis = 5
[grades]
fit = [70, 45, 25]
engagement = [75, 50, 25]
[[rule]]
id = "vp"
label = "VP-level title"
lead = "seniority"
equals = "vp"
points = 10
[[rule]]
id = "hubspot"
label = "Uses HubSpot"
signal = "tech"
equals = "HubSpot"
points = 20
"#;

/// A lead that becomes hot while its account's site cannot be read (its
/// account is rescored all the same) is counted in the summary, in the
/// JSON and on the account's line.
#[test]
fn a_lead_hot_while_its_account_failed_is_counted() {
    let env = Env::new();
    let model = env.file(
        "ceo.toml",
        br#"name = "ceo"
[scale]
fit_max = 30
engagement_max = 10
[weights]
fit = 1.0
engagement = 0.0
[tiers]
hot = 70
warm = 40
hysteresis = 5
[grades]
fit = [70, 45, 25]
engagement = [75, 50, 25]
[[rule]]
id = "ceo"
lead = "seniority"
equals = "c_level"
points = 30
"#,
    );
    let leads = env.file("leads.csv", b"email,title\nceo@gone.test,CEO\n");
    assert!(env.run(&["import", "leads", &leads]).status.success());
    let accounts = env.file(
        "accounts.csv",
        b"domain,name\ngone.test,Gone\n,Nameless Inc\n",
    );
    // Only the hosts given resolve: gone.test resolves nowhere.
    let o = leadscore()
        .args(["--db".as_ref(), env.db.as_os_str()])
        .args(["run", "--accounts", &accounts, "--model", &model, "--json"])
        .args([
            "--resolve",
            "elsewhere.test=127.0.0.1",
            "--allow-private-network",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["became_hot"], serde_json::json!(["ceo@gone.test"]), "{v}");
    assert_eq!(v["failed"].as_array().map(Vec::len), Some(1), "{v}");
    // A row without a domain is said apart, as the summary counts it.
    assert_eq!(v["bad_rows"][0]["no_domain"], true, "{v}");
    let o = leadscore()
        .args(["--db".as_ref(), env.db.as_os_str()])
        .args(["run", "--accounts", &accounts, "--model", &model, "--force"])
        .args([
            "--resolve",
            "elsewhere.test=127.0.0.1",
            "--allow-private-network",
        ])
        .output()
        .unwrap();
    let out = stdout(&o);
    // Hot already: no second crossing.
    assert!(out.contains("0 became hot"), "{out}");
}

/// A homepage with HubSpot's embed loader.
const HUBSPOT_HOME: &str = r#"<html><head><script id="hs-script-loader" async defer src="//js.hs-scripts.com/4242.js"></script></head><body><a href="/pricing">Pricing</a></body></html>"#;

/// `run --json`: stdout is one JSON document even when a lead turns hot
/// (the alert's line goes to stderr); an account `--limit` leaves for a
/// later run is counted there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_json_keeps_stdout_one_document() {
    use leadscore_testkit::site::{Route, Site};
    let site = Site::start().await;
    site.route("/", Route::html(HUBSPOT_HOME));
    let env = Env::new();
    let model = env.file("tech.toml", VP_AND_HUBSPOT_MODEL);
    let leads = env.file(
        "leads.csv",
        b"email,first_name,last_name,title\nvp@northwind.test,Nia,West,VP Marketing\n",
    );
    assert!(env.run(&["import", "leads", &leads]).status.success());
    let accounts = env.file(
        "accounts.csv",
        format!(
            "domain,website\nnorthwind.test,{}/\nlater.test,{}/\n",
            site.url("northwind.test"),
            site.url("later.test")
        )
        .as_bytes(),
    );
    let resolve = format!("northwind.test={}", site.addr.ip());
    let (db, model) = (env.db.clone(), model.clone());
    let o = tokio::task::spawn_blocking(move || {
        leadscore()
            .args(["--db".as_ref(), db.as_os_str()])
            .args(["run", "--accounts", &accounts, "--resolve", &resolve])
            .args(["--allow-private-network", "--model", &model, "--json"])
            .args(["--limit", "1"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(o.status.success(), "{out}\n{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(summary["enriched"], 1, "{summary}");
    assert_eq!(summary["left_by_limit"], 1, "{summary}");
    assert!(
        err.contains("became hot: Nia West <vp@northwind.test>"),
        "{err}"
    );
}

/// `run --accounts ARGS…` on `env`'s store, private addresses allowed,
/// alerts to the webhook `/hook` of `slack`; off the test's runtime, which
/// serves the fixtures.
async fn run_alerting_to_slack(
    env: &Env,
    args: &[&str],
    slack: &leadscore_testkit::site::Site,
) -> Output {
    let mut command = leadscore();
    command
        .args(["--db".as_ref(), env.db.as_os_str()])
        .args(["run", "--accounts"])
        .args(args)
        .arg("--allow-private-network")
        .args([
            "--slack-webhook",
            &format!("{}/hook", slack.url("127.0.0.1")),
        ]);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// A Slack channel that fails: the alert of the first account's hot lead
/// is tried once while the next account is fetched, then not again after
/// each account but once more at the end with the second one (5 attempts
/// each: 15 posts, where a delivery after every account made 25); both
/// stay pending and the run exits 5, saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_tries_a_failing_channel_once_mid_run_and_exits_5() {
    use leadscore_testkit::site::{Route, Site};
    let site = Site::start().await;
    site.route("/", Route::html(HUBSPOT_HOME));
    // The second site answers after the first delivery (~3 s of retries)
    // is over: a delivery after every account would start another.
    let slow = Site::start().await;
    slow.route(
        "/",
        Route::html(HUBSPOT_HOME).delayed(std::time::Duration::from_secs(5)),
    );
    let slack = Site::start().await;
    slack.route("/hook", Route::status(500, "text/plain", "down"));
    let env = Env::new();
    let model = env.file("tech.toml", VP_AND_HUBSPOT_MODEL);
    let leads = env.file(
        "leads.csv",
        b"email,first_name,last_name,title\nvp@one.test,Ona,One,VP Sales\nvp@two.test,Tia,Two,VP Sales\n",
    );
    assert!(env.run(&["import", "leads", &leads]).status.success());
    let accounts = env.file(
        "accounts.csv",
        format!(
            "domain,website\none.test,{}/\ntwo.test,{}/\n",
            site.url("one.test"),
            slow.url("two.test")
        )
        .as_bytes(),
    );
    let ip = site.addr.ip();
    let o = run_alerting_to_slack(
        &env,
        &[
            &accounts,
            "--concurrency",
            "1",
            "--resolve",
            &format!("one.test={ip}"),
            "--resolve",
            &format!("two.test={ip}"),
            "--model",
            &model,
        ],
        &slack,
    )
    .await;
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(5), "{out}\n{err}");
    assert!(
        out.contains("2 alert(s) could not be delivered for now and stay pending"),
        "{out}\n{err}"
    );
    assert_eq!(slack.hits().len(), 15, "{:?}", slack.hits());
    let pending = env.run(&["alerts", "--json"]);
    let pending: serde_json::Value = serde_json::from_slice(&pending.stdout).unwrap();
    assert_eq!(pending.as_array().map(Vec::len), Some(2), "{pending}");
}

/// An alert a channel refuses for good (Slack's 404 for a removed
/// webhook) stays pending for an operator to see, without making every
/// run fail: one attempt per delivery, exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_leaves_an_alert_refused_for_good_pending_without_failing() {
    use leadscore_testkit::site::{Route, Site};
    let site = Site::start().await;
    site.route("/", Route::html(HUBSPOT_HOME));
    let slack = Site::start().await;
    slack.route("/hook", Route::status(404, "text/plain", "no_service"));
    let env = Env::new();
    let model = env.file("tech.toml", VP_AND_HUBSPOT_MODEL);
    let leads = env.file(
        "leads.csv",
        b"email,first_name,last_name,title\nvp@one.test,Ona,One,VP Sales\n",
    );
    assert!(env.run(&["import", "leads", &leads]).status.success());
    let accounts = env.file(
        "accounts.csv",
        format!("domain,website\none.test,{}/\n", site.url("one.test")).as_bytes(),
    );
    let ip = site.addr.ip();
    let o = run_alerting_to_slack(
        &env,
        &[
            &accounts,
            "--resolve",
            &format!("one.test={ip}"),
            "--model",
            &model,
        ],
        &slack,
    )
    .await;
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("alerts: 0 delivered, 1 pending"),
        "{out}\n{err}"
    );
    assert_eq!(slack.hits().len(), 2, "{:?}", slack.hits());
}

/// `run --accounts`: a listed site is enriched and its lead turns hot with
/// one alert; an unreachable account fails alone (exit 5); run again, the
/// enriched account is skipped as fresh and nothing is alerted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_enriches_listed_accounts_and_resumes_without_duplicate_alerts() {
    use leadscore_testkit::site::{Route, Site};
    let site = Site::start().await;
    site.route("/", Route::html(HUBSPOT_HOME))
        .route("/pricing", Route::html("<h1>Plans</h1>"));
    let env = Env::new();
    let model = env.file("tech.toml", VP_AND_HUBSPOT_MODEL);
    let leads = env.file(
        "leads.csv",
        b"email,first_name,last_name,title\nvp@northwind.test,Nia,West,VP Marketing\nceo@gone.test,Gus,Gone,CEO\n",
    );
    assert!(env.run(&["import", "leads", &leads]).status.success());
    let accounts = env.file(
        "accounts.csv",
        format!(
            "domain,website,name\nnorthwind.test,{}/,Northwind\ngone.test,,Gone Inc\nnot a domain,,\n",
            site.url("northwind.test")
        )
        .as_bytes(),
    );
    let resolve = format!("northwind.test={}", site.addr.ip());
    let run = |extra: &'static [&'static str]| {
        let (db, accounts, resolve, model) = (
            env.db.clone(),
            accounts.clone(),
            resolve.clone(),
            model.clone(),
        );
        tokio::task::spawn_blocking(move || {
            leadscore()
                .args(["--db".as_ref(), db.as_os_str()])
                .args(["run", "--accounts", &accounts, "--resolve", &resolve])
                .args(["--allow-private-network", "--model", &model])
                .args(extra)
                .output()
                .unwrap()
        })
    };
    let o = run(&[]).await.unwrap();
    let (out, err) = (stdout(&o), stderr(&o));
    // gone.test resolves nowhere (only --resolve hosts do): it fails alone.
    assert_eq!(o.status.code(), Some(5), "{out}\n{err}");
    assert!(err.contains(":4: skipped"), "bad row reported: {err}");
    assert!(out.contains("enriched 1 of 2 account(s)"), "{out}");
    assert!(out.contains("gone.test: no page could be fetched"), "{out}");
    assert!(out.contains("1 became hot: vp@northwind.test"), "{out}");
    assert_eq!(
        out.matches("became hot: Nia West <vp@northwind.test>")
            .count(),
        1,
        "one alert line: {out}"
    );
    assert!(out.contains("alerts: 1 delivered, 0 pending"), "{out}");

    let hits = site.hits().len();
    let o = run(&[]).await.unwrap();
    let (out, err) = (stdout(&o), stderr(&o));
    // The unreachable account is tried again; the enriched one is not.
    assert!(
        err.contains("1 account(s) enriched within the last 1d are skipped"),
        "{err}"
    );
    assert!(out.contains("enriched 0 of 2 account(s)"), "{out}");
    assert!(out.contains("gone.test: no page could be fetched"), "{out}");
    assert!(out.contains("0 became hot"), "{out}");
    assert!(!out.contains("🔥"), "no alert repeated: {out}");
    assert_eq!(
        site.hits().len(),
        hits,
        "the fresh account was not fetched again"
    );

    // --force fetches again; the lead is still hot, so still no new alert.
    let o = run(&["--force"]).await.unwrap();
    let out = stdout(&o);
    assert!(out.contains("enriched 1 of 2 account(s)"), "{out}");
    assert!(!out.contains("🔥"), "{out}");
    assert!(site.hits().len() > hits);
    let pending = env.run(&["alerts", "--json"]);
    assert_eq!(stdout(&pending).trim(), "[]");
}

/// Imports Ann (VP at a.test) and Bo (VP at b.test) into `env`'s store;
/// the model that makes a VP at a HubSpot site hot, and an accounts file of
/// a.test and b.test at `site`'s `/a/` and `/b/`.
fn two_vp_leads_at_hubspot_sites(
    env: &Env,
    site: &leadscore_testkit::site::Site,
) -> (String, String) {
    let model = env.file("tech.toml", VP_AND_HUBSPOT_MODEL);
    let leads = env.file(
        "leads.csv",
        b"email,first_name,title\nvp@a.test,Ann,VP Sales\nvp@b.test,Bo,VP Sales\n",
    );
    assert!(env.run(&["import", "leads", &leads]).status.success());
    let accounts = env.file(
        "accounts.csv",
        format!(
            "domain,website\na.test,{}/a/\nb.test,{}/b/\n",
            site.url("a.test"),
            site.url("b.test")
        )
        .as_bytes(),
    );
    (model, accounts)
}

/// One VP lead at `a.test`, whose site (on `site`) runs HubSpot: the
/// model file and the accounts file for `run`.
fn one_vp_at_a_hubspot_site(env: &Env, site: &leadscore_testkit::site::Site) -> (String, String) {
    let model = env.file("tech.toml", VP_AND_HUBSPOT_MODEL);
    let leads = env.file(
        "leads.csv",
        b"email,first_name,title\nvp@a.test,Ann,VP Sales\n",
    );
    assert!(env.run(&["import", "leads", &leads]).status.success());
    let accounts = env.file(
        "accounts.csv",
        format!("domain,website\na.test,{}/\n", site.url("a.test")).as_bytes(),
    );
    (model, accounts)
}

/// Ctrl-C during `run`: the finished account's alert is delivered and the
/// run exits 130; the same command again enriches only the account it had
/// not finished, and no alert is sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_resumes_where_it_stopped() {
    use leadscore_testkit::site::{Route, Site};
    use std::io::{BufRead, BufReader};
    let site = Site::start().await;
    site.route("/a/", Route::html(HUBSPOT_HOME)).route(
        "/b/",
        Route::html(HUBSPOT_HOME).delayed(std::time::Duration::from_secs(30)),
    );
    let env = Env::new();
    let (model, accounts) = two_vp_leads_at_hubspot_sites(&env, &site);
    let ip = site.addr.ip().to_string();
    let command = || {
        let mut c = leadscore();
        c.args(["--db".as_ref(), env.db.as_os_str()])
            .args(["run", "--accounts", &accounts, "--concurrency", "1"])
            .args(["--resolve", &format!("a.test={ip}")])
            .args(["--resolve", &format!("b.test={ip}")])
            .args(["--allow-private-network", "--model", &model]);
        c
    };
    let mut child = command()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let child_err = child.stderr.take().unwrap();
    // Wait (bounded) for the first account to finish, then press Ctrl-C
    // while the second one's homepage is still on its way.
    let seen = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(child_err).lines() {
            let line = line.unwrap();
            let done = line.starts_with("[1/2] a.test");
            lines.push(line);
            if done {
                let ok = Command::new("kill")
                    .args(["-INT", &pid.to_string()])
                    .status()
                    .unwrap()
                    .success();
                assert!(ok, "kill -INT {pid}");
            }
        }
        lines
    });
    let lines = tokio::time::timeout(std::time::Duration::from_secs(60), seen)
        .await
        .expect("the run ends within 60 s of Ctrl-C")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(130), "{text}\n{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("interrupted")),
        "{lines:?}"
    );
    assert!(text.contains("enriched 1 of 2 account(s)"), "{text}");
    assert_eq!(
        text.matches("became hot: Ann <vp@a.test>").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("vp@b.test"), "{text}");

    // Again, with the slow site back to normal: only b.test is enriched.
    site.route("/b/", Route::html(HUBSPOT_HOME));
    let mut again = command();
    let o = tokio::task::spawn_blocking(move || again.output().unwrap())
        .await
        .unwrap();
    let (text, err) = (stdout(&o), stderr(&o));
    assert!(o.status.success(), "{text}\n{err}");
    assert!(
        err.contains("1 account(s) enriched within the last 1d are skipped"),
        "{err}"
    );
    assert!(text.contains("enriched 1 of 2 account(s)"), "{text}");
    assert_eq!(
        text.matches("became hot: Bo <vp@b.test>").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("<vp@a.test>"), "no alert twice: {text}");
}

/// Spawns `command`, waits (bounded) until `slack` has been posted to (its
/// route never answers), then presses Ctrl-C every 200 ms until the
/// process ends: its output.
async fn ctrl_c_while_posting(command: Command, slack: &leadscore_testkit::site::Site) -> Output {
    ctrl_c_while_posting_after(command, slack, 0).await
}

/// [`ctrl_c_while_posting`] once Slack has more than `before` hits.
async fn ctrl_c_while_posting_after(
    mut command: Command,
    slack: &leadscore_testkit::site::Site,
    before: usize,
) -> Output {
    use std::process::Stdio;
    use std::time::Duration;
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap());
    for _ in 0..600 {
        if slack.hits().len() > before || output.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(slack.hits().len() > before, "no post to Slack within 60 s");
    for _ in 0..600 {
        if output.is_finished() {
            break;
        }
        let ok = Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok || output.is_finished(), "kill -INT {pid}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::timeout(Duration::from_secs(10), output)
        .await
        .expect("the run ends after Ctrl-C")
        .unwrap()
}

/// An alert pending from an earlier run (Slack refused it) goes out in
/// the run's last delivery; a Ctrl-C there, with Slack hanging, releases
/// the send's claim, so `alerts deliver` sends it at once (it waited 30 s
/// on the claim and failed: the last delivery's stop was not counted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ctrl_c_in_the_last_delivery_releases_its_send() {
    use leadscore_testkit::site::{Route, Site};
    let site = Site::start().await;
    site.route("/", Route::html(HUBSPOT_HOME));
    let slack = Site::start().await;
    slack.route("/hook", Route::status(500, "text/plain", "no"));
    let env = Env::new();
    let (model, accounts) = one_vp_at_a_hubspot_site(&env, &site);
    let hook = format!("{}/hook", slack.url("127.0.0.1"));
    let run = || {
        let mut c = leadscore();
        c.args(["--db".as_ref(), env.db.as_os_str()])
            .args(["run", "--accounts", &accounts, "--model", &model, "--force"])
            .args(["--resolve", &format!("a.test={}", site.addr.ip())])
            .arg("--allow-private-network")
            .args(["--slack-webhook", &hook]);
        c
    };
    let first = tokio::task::spawn_blocking({
        let mut c = run();
        move || c.output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(first.status.code(), Some(5), "{}", stderr(&first));
    slack.route(
        "/hook",
        Route::status(200, "text/plain", "ok").delayed(std::time::Duration::from_secs(600)),
    );
    let before = slack.hits().len();
    let o = ctrl_c_while_posting_after(run(), &slack, before).await;
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    slack.route("/hook", Route::status(200, "text/plain", "ok"));
    let mut again = leadscore();
    again.args(["--db".as_ref(), env.db.as_os_str()]).args([
        "alerts",
        "deliver",
        "--slack-webhook",
        &hook,
    ]);
    let o = tokio::task::spawn_blocking(move || again.output().unwrap())
        .await
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&env.run(&["alerts"])).trim(), "no pending alerts");
}

/// A Ctrl-C once the fetching is over stops the delivery under way (a
/// webhook that never answers) instead of being ignored while Slack's
/// attempts run out: the alert stays pending, the run exits 130.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ctrl_c_after_the_fetching_stops_the_last_delivery() {
    use leadscore_testkit::site::{Route, Site};
    let site = Site::start().await;
    site.route("/", Route::html(HUBSPOT_HOME));
    let slack = Site::start().await;
    slack.route(
        "/hook",
        Route::status(200, "text/plain", "ok").delayed(std::time::Duration::from_secs(600)),
    );
    let env = Env::new();
    let (model, accounts) = one_vp_at_a_hubspot_site(&env, &site);
    let mut command = leadscore();
    command
        .args(["--db".as_ref(), env.db.as_os_str()])
        .args(["run", "--accounts", &accounts, "--model", &model])
        .args(["--resolve", &format!("a.test={}", site.addr.ip())])
        .arg("--allow-private-network")
        .args([
            "--slack-webhook",
            &format!("{}/hook", slack.url("127.0.0.1")),
        ]);
    let o = ctrl_c_while_posting(command, &slack).await;
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(130), "{out}\n{err}");
    assert!(err.contains("stopped while delivering alerts"), "{err}");
    assert!(out.contains("enriched 1 of 1 account(s)"), "{out}");
    let pending = env.run(&["alerts", "--json"]);
    let pending: serde_json::Value = serde_json::from_slice(&pending.stdout).unwrap();
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");
    // The claim of the send cut off was released: delivered again at once
    // (it waited for the claim's lease, then failed with exit 1).
    slack.route("/hook", Route::status(200, "text/plain", "ok"));
    let mut again = leadscore();
    again
        .args(["--db".as_ref(), env.db.as_os_str()])
        .args(["alerts", "deliver", "--slack-webhook"])
        .arg(format!("{}/hook", slack.url("127.0.0.1")));
    let o = tokio::task::spawn_blocking(move || again.output().unwrap())
        .await
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let pending = env.run(&["alerts", "--json"]);
    assert_eq!(stdout(&pending).trim(), "[]");
}

/// After the Ctrl-C that stops the fetching, a second one stops the wait
/// for the delivery under way: the alert stays pending, the account not
/// finished is left for the next run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_stops_the_wait_for_the_alerts() {
    use leadscore_testkit::site::{Route, Site};
    let site = Site::start().await;
    site.route("/a/", Route::html(HUBSPOT_HOME)).route(
        "/b/",
        Route::html(HUBSPOT_HOME).delayed(std::time::Duration::from_secs(600)),
    );
    let slack = Site::start().await;
    slack.route(
        "/hook",
        Route::status(200, "text/plain", "ok").delayed(std::time::Duration::from_secs(600)),
    );
    let env = Env::new();
    let (model, accounts) = two_vp_leads_at_hubspot_sites(&env, &site);
    let ip = site.addr.ip().to_string();
    let mut command = leadscore();
    command
        .args(["--db".as_ref(), env.db.as_os_str()])
        .args(["run", "--accounts", &accounts, "--concurrency", "1"])
        .args(["--resolve", &format!("a.test={ip}")])
        .args(["--resolve", &format!("b.test={ip}")])
        .args(["--allow-private-network", "--model", &model])
        .args([
            "--slack-webhook",
            &format!("{}/hook", slack.url("127.0.0.1")),
        ]);
    let o = ctrl_c_while_posting(command, &slack).await;
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(130), "{out}\n{err}");
    assert!(err.contains("interrupted: finishing the alerts"), "{err}");
    assert!(err.contains("stopped while delivering alerts"), "{err}");
    assert!(out.contains("enriched 1 of 2 account(s)"), "{out}");
    let pending = env.run(&["alerts", "--json"]);
    let pending: serde_json::Value = serde_json::from_slice(&pending.stdout).unwrap();
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");
}

/// `leadscore demo`: offline fixture companies end to end, hot leads with
/// explanations, and the HTML report rendered in headless Chromium (DOM
/// checked, screenshot saved next to it).
#[test]
fn demo_runs_offline_and_its_report_renders_in_chromium() {
    let env = Env::new();
    let report = env.dir.join("demo.html");
    let o = leadscore()
        .current_dir(&env.dir)
        .args(["demo", "--report"])
        .arg(&report)
        .output()
        .unwrap();
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("became hot"), "{out}");
    assert!(env.dir.join("leadscore-demo.db").exists());
    let hot: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("🔥 became hot"))
        .collect();
    assert!(hot.len() >= 2, "several hot leads: {out}");

    // The store the demo left is a normal one.
    let leads = leadscore()
        .current_dir(&env.dir)
        .args([
            "--db",
            "leadscore-demo.db",
            "leads",
            "--tier",
            "hot",
            "--json",
        ])
        .output()
        .unwrap();
    let hot_json: serde_json::Value = serde_json::from_slice(&leads.stdout).unwrap();
    assert_eq!(hot_json.as_array().unwrap().len(), hot.len(), "{hot_json}");

    let chromium = std::env::var_os("LEADSCORE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        chromium.exists(),
        "{} is missing: .ci/run installs Debian's chromium (apt-get install chromium), or set LEADSCORE_CHROMIUM",
        chromium.display()
    );
    let profile = env.dir.join("chromium-profile");
    let browser = |extra: &[&str]| {
        Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                // The report links its evidence to the companies' sites:
                // nothing may resolve or go out, whatever the page does.
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--no-proxy-server",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(format!("file://{}", report.display()))
            .output()
            .unwrap()
    };
    let dom = browser(&["--dump-dom"]);
    assert!(dom.status.success(), "{}", stderr(&dom));
    let doc = scraper::Html::parse_document(&stdout(&dom));
    let count = |css: &str| doc.select(&scraper::Selector::parse(css).unwrap()).count();
    assert!(count("#leaderboard tbody tr") >= 20, "leaderboard rows");
    assert_eq!(count("#leaderboard tbody tr.hot"), hot.len());
    assert_eq!(count("#matrix td[data-grade]"), 16, "the 4 × 4 matrix");
    let cells: usize = doc
        .select(&scraper::Selector::parse("#matrix td[data-count]").unwrap())
        .map(|td| {
            td.value()
                .attr("data-count")
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(
        cells,
        count("#leaderboard tbody tr"),
        "every lead in one cell"
    );
    assert_eq!(count("#distribution rect.bin"), 10);
    assert!(count("#explanations details[open]") >= hot.len());
    assert!(count("#accounts .tech span") > 0, "technologies shown");
    assert!(count("#accounts .funding") > 0, "a funding round shown");
    assert!(count("#accounts .hiring a") > 0, "open roles linked");

    let shot = env.dir.join("demo.png");
    let o = browser(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1280,1600",
        "--hide-scrollbars",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    // Chromium's own error page for a missing file is ~21 kB; the report
    // at this size is several times that.
    assert!(
        png.len() > 100_000,
        "a rendered report, not a blank or an error page: {} bytes",
        png.len()
    );
    // Kept for people: target/demo-report.png after a test run.
    let keep = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/demo-report.png");
    let _ = std::fs::copy(&shot, keep);
}

/// `demo --db PATH` never overwrites a store the user named: an existing
/// file is refused unless `--keep` is given.
#[test]
fn demo_refuses_to_overwrite_a_named_store() {
    let env = Env::new();
    std::fs::write(&env.db, b"not the demo's").unwrap();
    let o = env.run(&[
        "demo",
        "--report",
        &env.dir.join("r.html").display().to_string(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("exists; the demo starts from an empty store"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&env.db).unwrap(), b"not the demo's");
}

/// Rows of an accounts file that are rejected make `run` exit 5, as
/// rejected rows make `import` exit 3: a script sees them. A company listed
/// without a domain or website (CRM exports have them) is only skipped.
#[test]
fn run_exits_5_for_rejected_account_rows() {
    let env = Env::new();
    let accounts = env.file(
        "accounts.csv",
        b"domain,name\n10.0.0.5,A\nnot a domain,B\n,Nameless Inc\n",
    );
    let o = env.run(&["run", "--accounts", &accounts]);
    assert_eq!(o.status.code(), Some(5), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("2 row(s) of the accounts file rejected"),
        "{}",
        stderr(&o)
    );
    // The summary counts them the same way.
    assert!(
        stdout(&o).contains(
            "rows of the accounts file rejected: 2; without a domain or website, skipped: 1"
        ),
        "{}",
        stdout(&o)
    );
    let blank = env.file("blank.csv", b"domain,name\n,Nameless Inc\n");
    let o = env.run(&["run", "--accounts", &blank]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

/// A mistyped `--db` is said, not read as an empty store: the commands
/// that only read refuse a store that does not exist (exit 4), and create
/// none. A settings file with an unknown key is invalid input (exit 3).
#[test]
fn a_store_that_does_not_exist_and_a_bad_settings_file_are_said() {
    let env = Env::new();
    for args in [
        &["leads"][..],
        &["explain", "ana@acme.io"],
        &["alerts"],
        &["alerts", "deliver"],
        &["report", "--html", "r.html"],
    ] {
        let o = env.run(args);
        assert_eq!(o.status.code(), Some(4), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("no store at "), "{}", stderr(&o));
        assert!(!env.db.exists(), "{args:?} created the store");
    }
    // `run` names both ways to say which accounts.
    let o = env.run(&["run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--accounts") && stderr(&o).contains("--stale"),
        "{}",
        stderr(&o)
    );
    let settings = env.file("leadscore.toml", b"[fetch]\nallow_private_netwrok = true\n");
    let o = env.run(&["--config", &settings, "run", "--stale"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown field `allow_private_netwrok`"),
        "{}",
        stderr(&o)
    );
}

/// An activities import names the columns it does not read and the
/// custom kinds it imported, with the built-in kind one stands for.
#[test]
fn activities_import_names_unread_columns_and_custom_kinds() {
    let env = Env::new();
    let file = env.file(
        "activities.csv",
        b"Email Address,Activity Type,Timestamp,Campaign,Owner\nana@acme.io,pageview,2026-05-01,spring,sam\n",
    );
    let o = env.run(&["import", "activities", &file]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("columns not read: campaign, owner"), "{err}");
    assert!(
        err.contains("pageview (1 row(s); did you mean `page_viewed`?)"),
        "{err}"
    );
}

/// A closed standard error (`leadscore … 2>&1 | head -1` once `head` is
/// gone) does not panic the command: it finishes its work and exits with
/// its own code (3 here: rows rejected, the good ones imported).
#[test]
fn a_closed_standard_error_does_not_stop_the_command() {
    let env = Env::new();
    let mut rows = String::from("email,title\n");
    for i in 0..2000 {
        rows.push_str(&format!("bad-{i},CEO\n"));
    }
    rows.push_str("ok@acme.com,CEO\n");
    let leads = env.file("leads.csv", rows.as_bytes());
    let mut child = leadscore()
        .arg("--db")
        .arg(&env.db)
        .args(["import", "leads", &leads])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before (most of) 2,000 error lines are written.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3), "{status:?}");
    let o = env.run(&["leads", "--json"]);
    assert!(o.status.success());
}

/// A demo that fails leaves no store behind (the next one would refuse
/// it): neither for fixtures it cannot read, nor for fixtures whose leads
/// file is broken, found after the store was made.
#[test]
fn a_failed_demo_leaves_no_store() {
    let env = Env::new();
    let report = env.dir.join("r.html").display().to_string();
    let o = env.run(&[
        "demo",
        "--report",
        &report,
        "--fixtures",
        &env.dir.join("nowhere").display().to_string(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nowhere"), "{}", stderr(&o));
    assert!(!env.db.exists());
    // Sites, but no leads.csv: the import fails once the store is open.
    let fixtures = env.dir.join("fixtures");
    std::fs::create_dir_all(fixtures.join("sites/acme.test")).unwrap();
    std::fs::write(fixtures.join("sites/acme.test/index.html"), "<h1>Acme</h1>").unwrap();
    let o = env.run(&[
        "demo",
        "--report",
        &report,
        "--fixtures",
        &fixtures.display().to_string(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("leads.csv"), "{}", stderr(&o));
    assert!(!env.db.exists(), "the half-made store was left");
    // The default store of the last demo (in the working folder) is not
    // removed for a wrong --fixtures or --report: they are checked first.
    let last = env.dir.join("leadscore-demo.db");
    std::fs::write(&last, b"the last demo's").unwrap();
    for (flag, value) in [
        ("--fixtures", env.dir.join("nowhere")),
        ("--report", env.dir.join("no-such-folder/r.html")),
    ] {
        let o = leadscore()
            .current_dir(&env.dir)
            .args(["demo", flag])
            .arg(&value)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{flag}");
        assert_eq!(std::fs::read(&last).unwrap(), b"the last demo's", "{flag}");
    }
}

/// A flag names the store whatever the environment holds, and
/// `LEADSCORE_STORE` beats `LEADSCORE_DB`.
#[test]
fn store_flags_override_the_store_variables() {
    let env = Env::new();
    seed(&env);
    env.run(&["score"]);
    let other = env.dir.join("other.db");
    let leads = |vars: &[(&str, String)], args: &[&str]| {
        let mut c = leadscore();
        c.env_remove("LEADSCORE_DB").env_remove("LEADSCORE_STORE");
        for (k, v) in vars {
            c.env(k, v);
        }
        c.args(args).arg("leads").output().unwrap()
    };
    let seeded = env.db.display().to_string();
    let other = other.display().to_string();
    let sqlite = |p: &str| format!("sqlite:{p}");
    // (variables, flags)
    type Case<'a> = (Vec<(&'a str, String)>, Vec<String>);
    let cases: Vec<Case> = vec![
        (
            vec![("LEADSCORE_DB", other.clone())],
            vec!["--db".into(), seeded.clone()],
        ),
        (
            vec![("LEADSCORE_DB", other.clone())],
            vec!["--store".into(), sqlite(&seeded)],
        ),
        (
            vec![("LEADSCORE_STORE", sqlite(&other))],
            vec!["--db".into(), seeded.clone()],
        ),
        (
            vec![
                ("LEADSCORE_DB", other.clone()),
                ("LEADSCORE_STORE", sqlite(&seeded)),
            ],
            vec![],
        ),
    ];
    for (vars, args) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = leads(vars, &args);
        assert!(o.status.success(), "{vars:?} {args:?}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("dana.reyes@"),
            "{vars:?} {args:?}: {}",
            stdout(&o)
        );
    }
    // Both flags at once are still a usage error.
    let o = leads(&[], &["--db", &seeded, "--store", &sqlite(&seeded)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `leadscore explain … | head -1`: the reader goes away, the command stops
/// quietly with 141 (no panic, no backtrace).
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    use std::io::Read as _;
    let env = Env::new();
    seed(&env);
    env.run(&["score"]);
    let mut child = leadscore()
        .current_dir(root())
        .arg("--db")
        .arg(&env.db)
        .args(["explain", "dana.reyes@northwind-analytics.com"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before anything is read.
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(141), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// What the import says of a file, beyond its rejected rows: the attribute
/// keys as rules name them, a repeated row, an id taken by another row,
/// every missing column, and activities dated ahead.
#[test]
fn import_says_what_it_made_of_the_file() {
    let env = Env::new();
    let leads = env.file(
        "leads.csv",
        b"email,Phone,lead.score_hint,account.tier\nann@acme.io,1,a,gold\n",
    );
    let o = env.run(&["import", "leads", &leads]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("kept as lead attributes") && err.contains(": phone, score_hint"),
        "{err}"
    );
    assert!(
        err.contains("kept as account attributes") && err.contains(": tier"),
        "{err}"
    );
    let acts = env.file(
        "acts.csv",
        b"email,kind,occurred_at,id\n\
          ann@acme.io,email_opened,2026-10-01,e1\n\
          ann@acme.io,email_opened,2026-10-01,e1\n\
          ann@acme.io,meeting_booked,2026-10-02,e1\n\
          ann@acme.io,webinar_attended,2062-10-01,e2\n",
    );
    let o = env.run(&["import", "activities", &acts]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("acts.csv:3: repeats line 2"), "{err}");
    assert!(err.contains("acts.csv:4: id `e1`"), "{err}");
    assert!(
        err.contains("1 activity dated more than a day after now (first at line 5)"),
        "{err}"
    );
    let headless = env.file("cols.csv", b"email\nann@acme.io\n");
    let o = env.run(&["import", "activities", &headless]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("cols.csv:1: missing required columns: `kind`, `occurred_at`"),
        "{}",
        stderr(&o)
    );
}

/// Two rows giving one account two values: the last row wins, and the
/// import says so (on stderr, and in `--json`'s summary).
#[test]
fn rows_that_disagree_on_an_account_are_named() {
    let env = Env::new();
    let leads = env.file(
        "leads.csv",
        b"email,company,industry,employees
          ann@acme.io,Acme,Retail,40
          bo@acme.io,Acme,Software,40
          cy@acme.io,,,
",
    );
    let o = env.run(&["import", "leads", &leads]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "leads.csv:3: account acme.io: industry \"Software\" replaces \"Retail\" from line 2 (the last row wins)"
        ),
        "{err}"
    );
    // The same company and size, and a row with none: no conflict.
    assert_eq!(err.matches("replaces").count(), 1, "{err}");
    let o = env.run(&["import", "leads", &leads, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["summary"]["conflicts"],
        serde_json::json!([{
            "account": "acme.io",
            "field": "industry",
            "kept": ["Software", 3],
            "replaced": ["Retail", 2]
        }])
    );
}

/// Bad option values are usage errors (2) that name the option.
#[test]
fn bad_option_values_name_their_option() {
    let env = Env::new();
    let o = leadscore()
        .arg("--db")
        .arg(&env.db)
        .args(["--now", "yesterday", "leads"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`yesterday` is no time"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["alerts", "deliver", "--email-to", "sam@acme.io"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--smtp-url"), "{}", stderr(&o));
    assert!(env.run(&["store", "init"]).status.success());
    let o = env.run(&[
        "alerts",
        "deliver",
        "--email-to",
        "sam@acme.io",
        "--smtp-url",
        "bogus",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--smtp-url: "), "{}", stderr(&o));
}

/// A lead without a name is explained under its email alone.
#[test]
fn a_nameless_lead_is_explained_by_its_email() {
    let env = Env::new();
    let f = env.file("leads.csv", b"email,title\nsam@acme.io,VP Sales\n");
    assert!(env.run(&["import", "leads", &f]).status.success());
    assert!(env.run(&["score"]).status.success());
    let o = env.run(&["explain", "sam@acme.io"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().next(),
        Some("sam@acme.io"),
        "{}",
        stdout(&o)
    );
}
