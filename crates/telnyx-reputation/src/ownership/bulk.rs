//! Answering ownership questions for many numbers at once ([`Client::confirm_ownership_all`]).
//! The promises are on that method; each number's failure is its own outcome, never a panic.

use std::collections::HashSet;

use futures::StreamExt;
use telnyx_e164::E164;
use uuid::Uuid;

use super::Claim;
use crate::bulk::CancellationToken;
use crate::client::{Client, Page, Scope};
use crate::error::{ApiError, Error};
use crate::filter::NumberFilter;
use crate::record::NumberReputation;
use crate::verification::DocumentId;

/// How [`Client::confirm_ownership_all`] runs: answers in flight at once (default 4), the
/// evidence document sent with every answer, how many times an answer proved not applied is
/// sent again (default 2), and the cancellation token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConfirmOptions {
    concurrency: usize,
    evidence: Option<DocumentId>,
    resends: u32,
    cancel: Option<CancellationToken>,
}

impl Default for ConfirmOptions {
    fn default() -> Self {
        ConfirmOptions {
            concurrency: 4,
            evidence: None,
            resends: 2,
            cancel: None,
        }
    }
}

impl ConfirmOptions {
    /// The most answers in flight at once.
    pub const MAX_CONCURRENCY: usize = 64;

    /// Sets how many answers are in flight at once (clamped to 1..=[`Self::MAX_CONCURRENCY`]).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.clamp(1, Self::MAX_CONCURRENCY);
        self
    }

    /// Sends `document` as `evidence_document_id` with every answer.
    pub fn evidence(mut self, document: DocumentId) -> Self {
        self.evidence = Some(document);
        self
    }

    /// Sets how many more times an answer that a lookup proved not applied is sent (0: never;
    /// the number is then reported failed).
    pub fn resends(mut self, resends: u32) -> Self {
        self.resends = resends;
        self
    }

    /// Stops the run when `token` is cancelled (on Ctrl-C, say): no answer is sent after that,
    /// those in flight are decided, and the numbers never sent are reported
    /// [`ConfirmOutcome::NotSent`].
    ///
    /// ```
    /// use telnyx_reputation::bulk::CancellationToken;
    /// use telnyx_reputation::ownership::ConfirmOptions;
    /// let token = CancellationToken::new();
    /// let options = ConfirmOptions::default().cancel_on(token.clone());
    /// // elsewhere, on Ctrl-C:
    /// token.cancel();
    /// # drop(options);
    /// ```
    pub fn cancel_on(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    }
}

/// What happened to one number's answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfirmOutcome {
    /// Applied: the number is in the status the answer leads to (`verified`, or `removed`).
    Done {
        /// The number's record: the API's answer, or the row the lookup found.
        record: Box<NumberReputation>,
        /// Whether the answer's outcome was unknown and a lookup found it applied.
        looked_up: bool,
    },
    /// The API refused the answer (a 4xx other than 408 and 429): nothing changed.
    Refused(ApiError),
    /// Not applied: the request could not be sent or the server did not act (no connection,
    /// the stall rule ended the 429 waits), or lookups proved every send not applied. Safe to
    /// answer again.
    Failed(Error),
    /// Not known: the answer may have been applied, and no lookup could settle it. Read the
    /// number's `ownership_status` before answering again.
    Unknown(Error),
    /// Never sent: the run was cancelled first. Safe to answer again.
    NotSent,
}

impl ConfirmOutcome {
    /// The outcome in one word, as reports print it: `done`, `refused`, `failed`, `unknown`,
    /// `not_sent`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ConfirmOutcome::Done { .. } => "done",
            ConfirmOutcome::Refused(_) => "refused",
            ConfirmOutcome::Failed(_) => "failed",
            ConfirmOutcome::Unknown(_) => "unknown",
            ConfirmOutcome::NotSent => "not_sent",
        }
    }
}

/// One number's answer and what came of it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConfirmResult {
    /// The number.
    pub phone_number: E164,
    /// What came of its answer.
    pub outcome: ConfirmOutcome,
}

/// What [`Client::confirm_ownership_all`] did: one result per distinct number, in input order,
/// and the requests it took.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ConfirmReport {
    /// One entry per distinct number, in the order of its first input.
    pub results: Vec<ConfirmResult>,
    /// Numbers given more than once (answered once).
    pub duplicates: u64,
    /// Answers sent (resends included).
    pub requests: u64,
    /// Lookups made to settle unknown outcomes.
    pub lookups: u64,
}

impl ConfirmReport {
    /// How many numbers are done.
    pub fn done(&self) -> usize {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, ConfirmOutcome::Done { .. }))
            .count()
    }

    /// Whether every number is done.
    pub fn is_complete(&self) -> bool {
        self.done() == self.results.len()
    }
}

/// One number's settled answer, with the requests it took.
struct Settled {
    outcome: ConfirmOutcome,
    requests: u64,
    lookups: u64,
}

/// What an answer's failure says about whether it was applied.
enum Verdict {
    /// A refusal: not applied, and sending it again would be refused again.
    Refused(ApiError),
    /// Certainly not applied.
    NotApplied,
    /// Maybe applied.
    Maybe,
}

fn verdict(error: &Error) -> Verdict {
    match error {
        Error::Api(e) if (400..500).contains(&e.status) && e.status != 408 && e.status != 429 => {
            Verdict::Refused(e.clone())
        }
        // A 2xx that could not be read was applied, for all the client knows.
        e if e.outcome_unknown() || matches!(e, Error::Protocol { .. }) => Verdict::Maybe,
        _ => Verdict::NotApplied,
    }
}

impl Client {
    /// Answers the same ownership question for every number of `numbers` on the enterprise
    /// (confirm them all, or give them all up), `options.concurrency` at a time, and reports one
    /// outcome per distinct number ([`ConfirmReport`]). Never fails as a whole: each number's
    /// failure is its own outcome.
    ///
    /// Neither answer is billable, so **no journal is kept**: a run cut short is run again on
    /// the numbers not done (an answer already applied is then found done by the lookup below,
    /// or answered again, which leaves a confirmed number confirmed and a removed one removed).
    ///
    /// - **One outcome per distinct number**, in input order ([`ConfirmOutcome`]); a number
    ///   given twice is answered once and counted in [`ConfirmReport::duplicates`].
    /// - **No blind repeat**: an answer whose outcome is unknown (timeout, dropped connection,
    ///   5xx, an unreadable 2xx) is not sent again before a free lookup (a list page filtered on
    ///   the number and the status the answer leads to) says whether it took effect. Found in
    ///   that status: done. Not found: sent again, at most [`ConfirmOptions::resends`] times,
    ///   then reported failed. Lookup impossible: reported unknown.
    /// - **Cancellation** ([`ConfirmOptions::cancel_on`]): no answer is sent after the token is
    ///   cancelled; those in flight are decided, and the numbers never sent are reported
    ///   [`ConfirmOutcome::NotSent`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo()).await?;
    /// # let (base_url, key) = (mock.base_url().to_owned(), telnyx_reputation_mock::DEMO_API_KEY);
    /// use telnyx_reputation::ownership::{Claim, ConfirmOptions, ConfirmOutcome};
    /// use telnyx_reputation::{ApiKey, Client, ClientConfig, e164};
    ///
    /// let client = Client::new(ClientConfig::new(ApiKey::new(key)).base_url(base_url))?;
    /// let enterprise = "6a09cdc3-8948-47f0-aa62-74ac943d6c58".parse()?;
    /// client.associate(enterprise, &e164::validate_batch(["+16035551234"])?).await?;
    /// let numbers = ["+16035551234".parse()?, "+16035559999".parse()?];
    /// let report = client
    ///     .confirm_ownership_all(enterprise, numbers, Claim::StillOwn, ConfirmOptions::default())
    ///     .await;
    /// assert!(matches!(report.results[0].outcome, ConfirmOutcome::Done { .. }));
    /// // The second number is not monitored: the API refuses the answer.
    /// assert!(matches!(report.results[1].outcome, ConfirmOutcome::Refused(_)));
    /// # mock.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn confirm_ownership_all(
        &self,
        enterprise_id: Uuid,
        numbers: impl IntoIterator<Item = E164>,
        claim: Claim,
        options: ConfirmOptions,
    ) -> ConfirmReport {
        let mut seen = HashSet::new();
        let mut report = ConfirmReport::default();
        let mut distinct = Vec::new();
        for number in numbers {
            if seen.insert(number) {
                distinct.push(number);
            } else {
                report.duplicates = report.duplicates.saturating_add(1);
            }
        }
        drop(seen);
        // Lookups are reads: retried until they succeed or the stall rule ends them.
        let lookup = self.with_retry(self.retry_policy().clone().until_stalled());
        let options = &options;
        let lookup = &lookup;
        let mut settled: Vec<(usize, ConfirmResult, u64, u64)> =
            futures::stream::iter(distinct.into_iter().enumerate())
                .map(|(index, number)| async move {
                    let s = self
                        .settle(lookup, enterprise_id, number, claim, options)
                        .await;
                    let result = ConfirmResult {
                        phone_number: number,
                        outcome: s.outcome,
                    };
                    (index, result, s.requests, s.lookups)
                })
                .buffer_unordered(options.concurrency)
                .collect()
                .await;
        settled.sort_by_key(|(index, ..)| *index);
        for (_, result, requests, lookups) in settled {
            report.requests = report.requests.saturating_add(requests);
            report.lookups = report.lookups.saturating_add(lookups);
            report.results.push(result);
        }
        report
    }

    /// Sends one number's answer until its outcome is settled (see the module docs).
    async fn settle(
        &self,
        lookup: &Client,
        enterprise_id: Uuid,
        number: E164,
        claim: Claim,
        options: &ConfirmOptions,
    ) -> Settled {
        let mut settled = Settled {
            outcome: ConfirmOutcome::NotSent,
            requests: 0,
            lookups: 0,
        };
        if options.cancelled() {
            return settled;
        }
        loop {
            settled.requests += 1;
            let error = match self
                .confirm_ownership(enterprise_id, number, claim, options.evidence.as_ref())
                .await
            {
                Ok(record) => {
                    settled.outcome = ConfirmOutcome::Done {
                        record: Box::new(record),
                        looked_up: false,
                    };
                    return settled;
                }
                Err(error) => error,
            };
            match verdict(&error) {
                Verdict::Refused(e) => {
                    settled.outcome = ConfirmOutcome::Refused(e);
                    return settled;
                }
                Verdict::NotApplied => {
                    settled.outcome = ConfirmOutcome::Failed(error);
                    return settled;
                }
                Verdict::Maybe => {}
            }
            settled.lookups += 1;
            match lookup.answered(enterprise_id, number, claim).await {
                Ok(Some(record)) => {
                    settled.outcome = ConfirmOutcome::Done {
                        record: Box::new(record),
                        looked_up: true,
                    };
                    return settled;
                }
                Ok(None)
                    if settled.requests <= u64::from(options.resends) && !options.cancelled() => {}
                Ok(None) => {
                    settled.outcome = ConfirmOutcome::Failed(error);
                    return settled;
                }
                Err(_) => {
                    settled.outcome = ConfirmOutcome::Unknown(error);
                    return settled;
                }
            }
        }
    }

    /// The number's record if it is in the status `claim` leads to, from one free list page
    /// filtered on the number and that status (a removed number is listed only so).
    async fn answered(
        &self,
        enterprise_id: Uuid,
        number: E164,
        claim: Claim,
    ) -> Result<Option<NumberReputation>, Error> {
        let target = claim.status_after();
        let filter = NumberFilter::eq(number).ownership_status(target.clone());
        let page = self
            .list(Scope::Enterprise(enterprise_id), Page::new(1, 10), filter)
            .await?;
        Ok(page.data.into_iter().find(|r| {
            r.phone_number.as_str() == number.as_str()
                && r.ownership_status.as_ref() == Some(&target)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Error {
        Error::Api(ApiError {
            operation: "confirm_number_ownership",
            status,
            errors: Vec::new(),
            request_id: None,
            retry_after: None,
        })
    }

    #[test]
    fn a_refusal_is_final_a_5xx_is_looked_up_and_a_429_was_not_applied() {
        assert!(matches!(verdict(&api(409)), Verdict::Refused(e) if e.status == 409));
        assert!(matches!(verdict(&api(404)), Verdict::Refused(_)));
        assert!(matches!(verdict(&api(502)), Verdict::Maybe));
        assert!(matches!(verdict(&api(429)), Verdict::NotApplied));
        // A 408 may come after the server acted: as ambiguous as a 5xx.
        assert!(matches!(verdict(&api(408)), Verdict::Maybe));
        let unreadable = Error::Protocol {
            operation: "confirm_number_ownership",
            detail: "not JSON".into(),
        };
        assert!(matches!(verdict(&unreadable), Verdict::Maybe));
    }

    #[test]
    fn options_clamp_their_concurrency() {
        assert_eq!(ConfirmOptions::default().concurrency(0).concurrency, 1);
        assert_eq!(ConfirmOptions::default().concurrency(1_000).concurrency, 64);
    }
}
