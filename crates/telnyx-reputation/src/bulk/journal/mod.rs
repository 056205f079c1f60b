//! The bulk job's write-ahead journal: one JSON object per line, appended, flushed and fsync'd
//! before and after every step that touches the server.
//!
//! The `plan` lines are the one run written without an fsync each: they mean nothing until the
//! `planned` line closes them, and its fsync makes every line before it durable, before the
//! first request is sent. (A million numbers make 10,000 plan lines; one fsync instead of
//! 10,000.) A journal without `planned` is of a job that sent nothing.
//!
//! # Format (version 2)
//!
//! The first line is the job header; every later line is an event. Numbers are canonical E.164
//! strings, read back as [`UsNumber`](crate::e164::UsNumber)s (a line holding anything else is refused).
//!
//! ```text
//! {"v":2,"event":"job","job_id":"…","enterprise_id":"…","mode":"all_or_nothing","batch_size":100,"concurrency":4,"started_at":"…","inputs":250,"valid":250,"base_url":"https://api.telnyx.com/v2","key_sha256":"9f86d081884c7d65","sum":"…"}
//! {"event":"plan","batch":0,"numbers":["+16035550100", …],"sum":"…"}  every batch, before any is sent
//! {"event":"planned","batches":3,"sum":"…"}                          the plan is complete; nothing is sent before this
//! {"event":"attempt","batch":0,"numbers":[…],"at":"…","floor":"…","sum":"…"}   about to send these numbers
//! {"event":"committed","batch":0,"numbers":[…],"sum":"…"}            this job associated them
//! {"event":"already","batch":0,"numbers":[…],"sum":"…"}              associated with this enterprise before the job
//! {"event":"not_committed","batch":0,"numbers":[…],"sum":"…"}        the intent did not take effect
//! {"event":"refused","batch":0,"refusals":[{"number":"…","code":"…","detail":"…"}],"sum":"…"}
//! {"event":"failed","batch":0,"numbers":[…],"reason":"…","sum":"…"}  undecided; never sent again by this run
//! {"event":"rollback_started","sum":"…"}
//! {"event":"disassociated","numbers":[…],"sum":"…"}                  undone by the rollback
//! {"event":"finished","outcome":"completed","sum":"…"}
//! ```
//!
//! An `attempt` carries what a later run needs to learn what the request did if its answer is
//! lost: when it was sent (`at`, this machine's clock, used only to wait until the request can
//! no longer be in the server's hands), the server's clock at that moment as far as it was
//! known (`floor`, a lower bound: a record written by the request is dated at or after it), and
//! for a remediation the marker its `call_purpose` carries. Journals written before it have
//! `intent` lines instead, which read the same without those facts.
//!
//! Refresh and remediation jobs write the same journal, with an `operation` line after the
//! header (absent: associate); their mode is always best effort, and `committed` means
//! refreshed or submitted (billed). A remediation's `submitted` line is its `committed` with
//! the request's id.
//!
//! ```text
//! {"event":"operation","kind":"remediation","call_purpose":"…","contact_email":null,"webhook_url":null,"sum":"…"}
//! {"event":"submitted","batch":0,"numbers":[…],"remediation_id":"…","sum":"…"}
//! ```
//!
//! A sync's journal ([`SyncPlan::apply`](crate::sync::SyncPlan::apply)) is a job's journal with
//! its prune phase added: the extras it disassociates once every association succeeded are
//! written with the plan, before `planned`, and each disassociation is recorded as it ends.
//! Disassociations are idempotent and never rolled back: `rollback` undoes the associations
//! alone, and never associates a pruned number again.
//!
//! ```text
//! {"event":"sync","extras":120,"sum":"…"}                            this job is a sync; `prune` lines follow
//! {"event":"prune","numbers":["+16035550900", …],"sum":"…"}          extras to disassociate, before `planned`
//! {"event":"pruned","numbers":[…],"sum":"…"}                         disassociated (or found not associated)
//! {"event":"prune_finished","sum":"…"}                               every extra is off the enterprise
//! ```
//!
//! The numbers of the inventory that Telnyx removed from monitoring are written after the
//! `sync` line, before `planned`, 100 a line, with whether the sync associates them again
//! (they are then in its plan too): `resume` reports the ones it holds back as the first run did.
//!
//! ```text
//! {"event":"removed_by_telnyx","readd":false,"numbers":[{"phone_number":"+16035550901","removal_reason":"reassigned","removed_at":"…"}],"sum":"…"}
//! ```
//!
//! **Checksums.** Every line ends with `"sum"`: 16 hex digits, the first 8 bytes of the SHA-256
//! of the previous line's sum followed by this line's text without its sum (the header's
//! "previous sum" is eight zero bytes). The sums chain from the header, which holds the job id
//! and the enterprise, so a line cannot be edited, dropped, reordered or moved to another
//! journal without failing verification. A journal that fails it is refused with the line
//! number; only the last line may fail, as the torn write of a process that died mid-line, and
//! `resume`/`rollback` cut it off before they append.
//!
//! A last line whole but for its newline (the process died between the two) is read as any
//! other, and its newline written before the next line.
//!
//! **The endpoint.** The header names the base URL the job sends to and a fingerprint of its
//! API key (`key_sha256`: the first 8 bytes of the key's SHA-256, in hex; never the key), and
//! `resume` and `rollback` refuse a client of another endpoint or key
//! ([`JournalError::OtherEndpoint`]): the journal's numbers are that account's. Journals
//! written before these fields are read without the check.
//!
//! **One writer.** A process appending to a journal holds an exclusive lock on it, and writes
//! its pid beside it (`<journal>.pid`; [`JobSummary::running`] and [`JobSummary::pid`] tell
//! it): another `resume` or `rollback` is refused at once
//! ([`JournalError::Locked`]). A write or fsync that fails ends the writing for good
//! ([`JournalError::Poisoned`]): no later line is appended, by any batch.
//!
//! Any other format version is refused on its first line, naming it. (Version 1, the same
//! lines without `"sum"`, was never released.)
//!
//! Recovery reads the journal back: what this job associated, what is still in flight (an
//! `attempt` without an outcome: it may or may not have been applied, so it is looked up on
//! the server), and what is left to send. [`Journal`] is that reading for callers: the job's
//! [`JobSummary`], whether it has work left, and the report the journal alone gives.

mod error;
mod event;
mod file;
mod lock;
mod reader;
mod replay;

pub use error::JournalError;
pub use event::{Endpoint, OperationKind};
pub(crate) use event::{Event, Header, RefusedNumber, SentWith};
pub(crate) use file::Writer;
pub(crate) use lock::refuse_if_held;
pub use reader::{JobState, JobSummary, Journal};
pub(crate) use replay::Replay;

/// The journal format version this code writes and reads.
pub const VERSION: u32 = 2;
