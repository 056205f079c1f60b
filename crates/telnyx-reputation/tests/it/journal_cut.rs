//! A real journal cut at every byte offset (every record's end, and a stride of the bytes
//! inside records unless `JOURNAL_CUT_STRIDE=1`), as a crash can leave it, then resumed: a number
//! whose record (committed, already associated, refused) is whole in the cut is never sent
//! again, whether or not the record's newline made it to the disk.

use crate::common;

use std::collections::BTreeSet;

use common::{client, numbers};
use telnyx_reputation::bulk::{BulkOptions, Mode, Outcome};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, Inventory, MockConfig, start};

/// The numbers of the `event` lines among `lines` (JSON objects; the refusals' numbers for a
/// `refused` line).
fn numbers_of(lines: &[&str], events: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in lines {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if !events.iter().any(|e| value["event"] == *e) {
            continue;
        }
        let listed = value["numbers"].as_array().cloned().unwrap_or_default();
        let refused = value["refusals"].as_array().cloned().unwrap_or_default();
        out.extend(listed.iter().filter_map(|n| n.as_str().map(str::to_owned)));
        out.extend(
            refused
                .iter()
                .filter_map(|r| r["number"].as_str().map(str::to_owned)),
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_never_sends_again_a_number_whose_record_is_whole() {
    let mut config = MockConfig::demo();
    let all = numbers(0, 6);
    // The fourth number is not the account's: the server refuses it.
    config.accounts[0].inventory = Inventory::Numbers(
        all.iter()
            .filter(|n| n.as_str() != all[3])
            .map(|n| n.parse().unwrap())
            .collect(),
    );
    let mock = start(config).await.unwrap();
    // The short request timeout: a resume waits out a cut attempt's timeout, and as long
    // again between its two lookups, before it decides what the attempt did.
    let c = client(&mock);
    // A resume fsyncs each line it writes, and there are as many resumes as bytes.
    let dir = common::tempdir();
    let path = dir.path().join("job.journal");
    let report = c
        .associate_all(
            DEMO_ENTERPRISE,
            &all,
            BulkOptions::default()
                .mode(Mode::BestEffort)
                .batch_size(2)
                .concurrency(1)
                .journal(&path),
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Partial, "{report:?}");
    assert_eq!(report.refused.len(), 1);
    let whole = std::fs::read(&path).unwrap();
    let text = std::str::from_utf8(&whole).unwrap();
    let original: Vec<&str> = text.lines().collect();
    let ends: Vec<usize> = whole
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let billed = mock.billing().associate;
    // Every cut next to a record's end (its last byte, its newline, the next record's first
    // byte), where what is whole changes, and every `stride`-th offset inside the records;
    // `.ci/run` cuts at every byte (`JOURNAL_CUT_STRIDE=1`). Each cut is a file of its own and a
    // resume waits more than it computes, so several run at once.
    let stride = usize::try_from(common::runs_from_env("JOURNAL_CUT_STRIDE", 16).max(1))
        .expect("JOURNAL_CUT_STRIDE fits a usize");
    let near_an_end = |at: usize| ends.iter().any(|end| at + 1 >= *end && at <= end + 2);
    let cuts =
        (0..=whole.len()).filter(|&at| at % stride == 0 || at == whole.len() || near_an_end(at));
    let resent = common::concurrently(cuts, common::CONCURRENT_RUNS, |at| {
        let (c, dir, whole, original, ends) = (&c, &dir, &whole, &original, &ends);
        async move {
            let cut = dir.path().join(format!("cut-{at}.journal"));
            std::fs::write(&cut, &whole[..at]).unwrap();
            // Records whose text is whole in the cut: their newline is at `at` or after
            // nothing else of them (a record is whole once every byte before its newline is
            // there).
            let kept = ends.iter().filter(|end| **end <= at).count();
            let decided = numbers_of(&original[..kept], &["committed", "already", "refused"]);
            match c
                .resume_job(&cut, BulkOptions::default().concurrency(1))
                .await
            {
                Ok(_) => {}
                // Cut before the plan was whole: nothing was ever sent, and nothing is.
                Err(e) => {
                    assert!(
                        !original[..kept].iter().any(|l| l.contains("\"planned\"")),
                        "cut at {at}: {e}"
                    );
                    return false;
                }
            }
            let after = std::fs::read_to_string(&cut).unwrap();
            let lines: Vec<&str> = after.lines().collect();
            assert_eq!(
                lines[..kept],
                original[..kept],
                "cut at {at}: kept as written"
            );
            let sent = numbers_of(&lines[kept..], &["intent", "attempt"]);
            let again: Vec<_> = sent.intersection(&decided).collect();
            assert!(
                again.is_empty(),
                "cut at {at}: the resume sent {again:?} again, whose records are whole"
            );
            // The cut's files go as soon as its resume is checked.
            let _ = std::fs::remove_file(&cut);
            !sent.is_empty()
        }
    })
    .await;
    let resent_somewhere = resent.contains(&true);
    assert!(
        resent_somewhere,
        "some cuts leave numbers to send, which the resume sends"
    );
    assert_eq!(
        mock.billing().associate,
        billed,
        "every number was associated once, by the first run"
    );
}
