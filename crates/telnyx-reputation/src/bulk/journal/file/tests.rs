use super::*;
use crate::bulk::{Mode, Outcome};
use telnyx_e164::UsNumber;
use uuid::Uuid;

fn header(job: u128) -> Header {
    Header {
        v: VERSION,
        event: "job".into(),
        job_id: Uuid::from_u128(job),
        enterprise_id: Uuid::nil(),
        mode: Mode::AllOrNothing,
        batch_size: 2,
        concurrency: 1,
        started_at: chrono::DateTime::UNIX_EPOCH,
        inputs: 3,
        valid: 3,
        endpoint: Default::default(),
    }
}

/// A directory for a test's journals: on the memory file system (`/dev/shm`) where there is one,
/// as the integration tests' are. Each record is fsynced, and the cut test writes thousands.
fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .unwrap()
}

fn n(v: &[&str]) -> Vec<UsNumber> {
    v.iter().map(|s| s.parse().unwrap()).collect()
}

fn write(path: &Path, job: u128) {
    let mut journal = Writer::create(path, &header(job)).unwrap();
    for event in [
        Event::Plan {
            batch: 0,
            numbers: n(&["+12015550100", "+12015550101"]),
        },
        Event::Plan {
            batch: 1,
            numbers: n(&["+12015550102"]),
        },
        Event::Intent {
            batch: 0,
            numbers: n(&["+12015550100", "+12015550101"]),
        },
        Event::Committed {
            batch: 0,
            numbers: n(&["+12015550100", "+12015550101"]),
        },
        Event::Intent {
            batch: 1,
            numbers: n(&["+12015550102"]),
        },
    ] {
        journal.append(&event).unwrap();
    }
}

#[test]
fn events_round_trip_and_fold() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    write(&path, 1);
    let replay = Replay::read(&path).unwrap();
    assert_eq!(replay.header, Some(header(1)));
    assert_eq!(replay.ours.len(), 2);
    assert_eq!(replay.in_flight, n(&["+12015550102"]).into_iter().collect());
    assert!(replay.unsent().is_empty());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.lines().all(|l| l.contains(",\"sum\":\"")), "{text}");
}

#[test]
fn a_torn_last_line_is_ignored_and_cut_off_before_appending() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    write(&path, 1);
    let whole = std::fs::read(&path).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(b"{\"event\":\"finished\",\"outc");
    std::fs::write(&path, &torn).unwrap();
    let replay = Replay::read(&path).unwrap();
    assert_eq!(replay.finished, None);
    let mut journal = Writer::open_append(&path, &replay).unwrap();
    journal
        .append(&Event::Finished {
            outcome: Outcome::Completed,
        })
        .unwrap();
    let replay = Replay::read(&path).unwrap();
    assert_eq!(replay.finished, Some(Outcome::Completed));
    assert!(std::fs::read(&path).unwrap().starts_with(&whole));
}

#[test]
fn a_last_line_failing_its_checksum_is_torn_but_anywhere_else_it_is_refused_with_its_number() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    write(&path, 1);
    let text = std::fs::read_to_string(&path).unwrap();
    // Change the number of the last line (the intent of batch 1).
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let end = lines.len() - 1;
    lines[end] = lines[end].replace("+12015550102", "+12015550103");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let replay = Replay::read(&path).unwrap();
    assert!(
        replay.in_flight.is_empty(),
        "the damaged last line is not used"
    );
    // The same damage on line 3 is refused.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replace("+12015550102", "+12015550103");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let err = Replay::read(&path).unwrap_err();
    assert!(matches!(err, JournalError::Format { line: 3, .. }), "{err}");
    assert!(err.to_string().contains("job.journal"), "{err}");
}

#[test]
fn a_line_moved_from_another_journal_is_refused() {
    let dir = tempdir();
    let (a, b) = (dir.path().join("a.journal"), dir.path().join("b.journal"));
    write(&a, 1);
    write(&b, 2);
    let a_text = std::fs::read_to_string(&a).unwrap();
    let b_text = std::fs::read_to_string(&b).unwrap();
    let mut lines: Vec<&str> = a_text.lines().collect();
    let b_lines: Vec<&str> = b_text.lines().collect();
    lines[2] = b_lines[2];
    std::fs::write(&a, lines.join("\n") + "\n").unwrap();
    assert!(matches!(
        Replay::read(&a),
        Err(JournalError::Format { line: 3, .. })
    ));
}

#[test]
fn an_existing_journal_is_never_overwritten() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    Writer::create(&path, &header(1)).unwrap();
    assert!(matches!(
        Writer::create(&path, &header(1)),
        Err(JournalError::Exists(_))
    ));
}

#[cfg(unix)]
#[test]
fn a_journal_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    Writer::create(&path, &header(1)).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn another_version_is_refused() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    let mut h = header(1);
    h.v = 99;
    std::fs::write(&path, serde_json::to_string(&h).unwrap() + "\n").unwrap();
    let err = Replay::read(&path).unwrap_err();
    assert!(
        err.to_string().contains("journal format version 99"),
        "{err}"
    );
}

#[test]
fn a_version_1_journal_is_refused_naming_its_version_and_the_one_read() {
    // Version 1 was the same lines without checksums; no such journal was ever released.
    let dir = tempdir();
    let path = dir.path().join("v1.journal");
    let mut h = serde_json::to_value(header(1)).unwrap();
    h["v"] = 1.into();
    let plan = r#"{"event":"plan","batch":0,"numbers":["+12015550100"]}"#;
    std::fs::write(&path, format!("{h}\n{plan}\n")).unwrap();
    let err = Replay::read(&path).unwrap_err();
    assert!(
        matches!(err, JournalError::Format { line: 1, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("journal format version 1; this build reads version 2 only"),
        "{err}"
    );
}

#[test]
fn a_syncs_prune_lines_round_trip_and_fold_into_the_work_left() {
    let dir = tempdir();
    let path = dir.path().join("sync.journal");
    let mut journal = Writer::create(&path, &header(3)).unwrap();
    for event in [
        Event::Plan {
            batch: 0,
            numbers: n(&["+12015550100"]),
        },
        Event::Sync {
            extras: 3,
            newest_association: None,
        },
        Event::Prune {
            numbers: n(&["+12015550200", "+12015550201", "+12015550202"]),
        },
        Event::Planned { batches: 1 },
        Event::Intent {
            batch: 0,
            numbers: n(&["+12015550100"]),
        },
        Event::Committed {
            batch: 0,
            numbers: n(&["+12015550100"]),
        },
        Event::Finished {
            outcome: Outcome::Completed,
        },
        Event::Pruned {
            numbers: n(&["+12015550201"]),
        },
    ] {
        journal.append(&event).unwrap();
    }
    let replay = Replay::read(&path).unwrap();
    assert!(replay.sync);
    assert_eq!(replay.finished, Some(Outcome::Completed));
    assert_eq!(replay.unpruned(), n(&["+12015550200", "+12015550202"]));
    assert!(
        replay.has_work_left(),
        "a sync with extras left has work left"
    );
    // Pruned numbers are never the job's to undo.
    assert_eq!(replay.ours, n(&["+12015550100"]).into_iter().collect());
    // The first writer lets go of the journal before another takes it.
    drop(journal);
    let mut journal = Writer::open_append(&path, &replay).unwrap();
    journal
        .append(&Event::Pruned {
            numbers: n(&["+12015550200", "+12015550202"]),
        })
        .unwrap();
    journal.append(&Event::PruneFinished).unwrap();
    let replay = Replay::read(&path).unwrap();
    assert!(replay.unpruned().is_empty() && replay.prune_finished);
    assert!(!replay.has_work_left());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(r#"{"event":"prune_finished","sum":""#),
        "{text}"
    );
}

#[test]
fn a_last_line_whole_but_for_its_newline_is_read_and_given_its_newline_before_the_next() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    write(&path, 1);
    let mut journal = Writer::open_append(&path, &Replay::read(&path).unwrap()).unwrap();
    journal
        .append(&Event::Committed {
            batch: 1,
            numbers: n(&["+12015550102"]),
        })
        .unwrap();
    drop(journal);
    let whole = std::fs::read(&path).unwrap();
    std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
    let replay = Replay::read(&path).unwrap();
    assert!(replay.in_flight.is_empty(), "the committed record counts");
    assert_eq!(replay.ours.len(), 3);
    let mut journal = Writer::open_append(&path, &replay).unwrap();
    journal
        .append(&Event::Finished {
            outcome: Outcome::Completed,
        })
        .unwrap();
    drop(journal);
    let text = std::fs::read(&path).unwrap();
    assert!(text.starts_with(&whole), "the newline was put back first");
    let replay = Replay::read(&path).unwrap();
    assert_eq!(replay.finished, Some(Outcome::Completed));
    assert_eq!(replay.ours.len(), 3);
}

/// What a replay decided, to compare two replays.
fn decided(replay: &Replay) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        replay.plan.clone(),
        replay.planned,
        replay.ours.clone(),
        replay.in_flight.clone(),
        replay.finished,
    )
}

#[test]
fn a_journal_cut_at_any_byte_reads_every_whole_record_and_appends_after_it() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    write(&path, 1);
    let whole = std::fs::read(&path).unwrap();
    let ends: Vec<usize> = whole
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let cut = dir.path().join("cut.journal");
    for at in 0..=whole.len() {
        std::fs::write(&cut, &whole[..at]).unwrap();
        // The records whose text is whole: those whose newline is at `at` or before it.
        let complete = ends.iter().filter(|end| **end <= at).count();
        let read = Replay::read(&cut);
        if complete == 0 {
            assert!(read.is_err(), "cut at {at}: no whole header");
            continue;
        }
        let replay = read.unwrap_or_else(|e| panic!("cut at {at}: {e}"));
        let reference = dir.path().join("reference.journal");
        std::fs::write(&reference, &whole[..=ends[complete - 1]]).unwrap();
        assert_eq!(
            decided(&replay),
            decided(&Replay::read(&reference).unwrap()),
            "cut at {at}"
        );
        let mut journal = Writer::open_append(&cut, &replay).unwrap();
        journal.append(&Event::RollbackStarted).unwrap();
        drop(journal);
        let after = Replay::read(&cut).unwrap_or_else(|e| panic!("cut at {at}, appended: {e}"));
        assert!(after.rollback_started, "cut at {at}");
        assert_eq!(decided(&after), decided(&replay), "cut at {at}");
    }
}

#[test]
fn a_failed_write_poisons_the_journal_for_every_later_append() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    write(&path, 1);
    let before = std::fs::read(&path).unwrap();
    // A real write error: the file is open for reading only.
    let file = Locked::new(&path, File::open(&path).unwrap()).unwrap();
    let mut journal = Writer::over(&path, file, FIRST);
    let event = Event::RollbackStarted;
    let first = journal.append(&event).unwrap_err();
    let JournalError::Poisoned { cause, .. } = &first else {
        panic!("expected a poisoned journal, got {first}");
    };
    assert!(first.to_string().contains("job.journal"), "{first}");
    for _ in 0..3 {
        match journal.append_unsynced(&event) {
            Err(JournalError::Poisoned { cause: later, .. }) => assert_eq!(&later, cause),
            other => panic!("expected the poison again, got {other:?}"),
        }
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_journal_written_since_it_was_read_is_not_appended_to() {
    let dir = tempdir();
    let path = dir.path().join("job.journal");
    write(&path, 1);
    let stale = Replay::read(&path).unwrap();
    let mut journal = Writer::open_append(&path, &stale).unwrap();
    journal.append(&Event::RollbackStarted).unwrap();
    drop(journal);
    assert!(matches!(
        Writer::open_append(&path, &stale),
        Err(JournalError::Changed(_))
    ));
}
