//! The command's own documentation: exit codes in `--help`, shell completions, the man page.

use crate::common;

use common::*;

const SUBCOMMANDS: [&str; 21] = [
    "jobs",
    "settings",
    "loa",
    "terms",
    "refresh",
    "remediation",
    "verification",
    "ownership",
    "webhooks",
    "associate",
    "resume",
    "rollback",
    "list",
    "report",
    "sync",
    "get",
    "disassociate",
    "validate",
    "completions",
    "man",
    "mock",
];

#[test]
fn help_documents_every_exit_code() {
    let out = run(&["--help"], None);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for code in ["0 ", "1 ", "2 ", "3 ", "4 ", "130 "] {
        assert!(help.contains(&format!("\n  {code}")), "{code}: {help}");
    }
}

#[test]
fn completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell], None);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: {sub}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"], None).status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_mentioning_every_subcommand() {
    let out = run(&["man"], None);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains(".TH telnyx-reputation"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS") || page.contains("SUBCOMMANDS"));
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("telnyx\\-reputation\\-{sub}")),
            "{sub}: {page}"
        );
    }
}
