//! An enterprise's reputation lifecycle: the account's Terms of Service agreement, enabling
//! (pending, then approved when the emulator's clock passes the approval time), the check
//! frequency, the LOA document, and disabling, which de-registers every number.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::model::{CheckFrequency, LoaStatus, ReputationStatus, Settings, TosAgreement};
use crate::reputation::{mix, record_id};
use crate::state::{Refusal, World};

/// The version of the Terms of Service the emulator records agreements to.
pub const TERMS_VERSION: &str = "v1.0.0";

/// One enterprise's stored settings: as last written, and when a pending activation is
/// approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsRecord {
    /// The settings as last written.
    pub settings: Settings,
    /// When a `pending` activation becomes `approved` (status and LOA both).
    pub approve_at: Option<DateTime<Utc>>,
    /// The ownership proof for numbers hosted elsewhere, once submitted (its status is
    /// mirrored in `settings.external_verification_status`).
    pub verification: Option<crate::model::ExternalVerification>,
}

impl SettingsRecord {
    /// Enabled and approved from the start (`--enterprise`).
    pub(crate) fn approved_at_start(id: Uuid, now: DateTime<Utc>) -> SettingsRecord {
        SettingsRecord {
            settings: Settings {
                enterprise_id: id,
                status: ReputationStatus::Approved,
                loa_status: LoaStatus::Approved,
                loa_document_id: Some(format!("loa-{}", id.simple())),
                check_frequency: CheckFrequency::BusinessDaily,
                rejection_reasons: None,
                created_at: now,
                updated_at: now,
                external_verification_status: None,
                webhook_url: None,
            },
            approve_at: None,
            verification: None,
        }
    }

    /// Whether numbers can be associated and refreshed at `now`.
    pub fn is_approved(&self, now: DateTime<Utc>) -> bool {
        self.view(now).status == ReputationStatus::Approved
    }

    /// The settings as they stand at `now`: a pending activation whose approval time has come
    /// reads as approved, updated at that time.
    pub fn view(&self, now: DateTime<Utc>) -> Settings {
        let mut s = self.settings.clone();
        if s.status == ReputationStatus::Pending
            && let Some(at) = self.approve_at.filter(|at| *at <= now)
        {
            s.status = ReputationStatus::Approved;
            s.loa_status = LoaStatus::Approved;
            s.updated_at = s.updated_at.max(at);
        }
        s
    }
}

/// The agreement record of account `account`, made at `now`.
pub(crate) fn agreement(key: u64, account: usize, now: DateTime<Utc>) -> TosAgreement {
    TosAgreement {
        id: record_id(mix(key ^ 0x7e57), account as u64),
        product_type: "number_reputation".into(),
        terms_version: TERMS_VERSION.into(),
        version: TERMS_VERSION.into(),
        agreed_at: now,
        created_at: now,
    }
}

/// A `loa_document_id` as the operations accept it: 1–255 characters.
fn check_document_id(id: Option<&str>) -> Result<String, Refusal> {
    let invalid = |detail: &str| Refusal::Invalid {
        pointer: "/loa_document_id".into(),
        detail: detail.into(),
    };
    match id {
        None => Err(invalid("loa_document_id is required")),
        Some(id) if id.trim().is_empty() => Err(invalid("loa_document_id must not be empty")),
        Some(id) if id.chars().count() > 255 => {
            Err(invalid("loa_document_id must be at most 255 characters"))
        }
        Some(id) => Ok(id.to_owned()),
    }
}

impl World {
    /// The account's agreement to the Number Reputation Terms of Service (made once; agreeing
    /// again returns the same record).
    pub fn agree_to_terms(&mut self, account: usize, now: DateTime<Utc>) -> TosAgreement {
        let key = self.id_key;
        if self.terms.len() <= account {
            self.terms.resize(account.saturating_add(1), None);
        }
        match self.terms.get_mut(account) {
            Some(slot) => slot
                .get_or_insert_with(|| agreement(key, account, now))
                .clone(),
            None => agreement(key, account, now),
        }
    }

    /// Whether the account has agreed to the Terms of Service.
    pub fn has_agreed(&self, account: usize) -> bool {
        self.terms.get(account).is_some_and(Option::is_some)
    }

    /// The stored settings of an enterprise, if reputation is enabled for it.
    pub(crate) fn settings_record(&self, account: usize, id: Uuid) -> Option<&SettingsRecord> {
        self.settings.get(account).and_then(|s| s.get(&id))
    }

    pub(crate) fn settings_mut(
        &mut self,
        account: usize,
        id: Uuid,
    ) -> Result<&mut SettingsRecord, Refusal> {
        self.enterprise(account, id)?;
        self.settings
            .get_mut(account)
            .and_then(|s| s.get_mut(&id))
            .ok_or(Refusal::NotEnabled(id))
    }

    /// An enterprise's settings at `now` (404 when reputation is not enabled).
    pub fn reputation_settings(
        &self,
        account: usize,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Settings, Refusal> {
        self.enterprise(account, id)?;
        self.settings_record(account, id)
            .map(|r| r.view(now))
            .ok_or(Refusal::NotEnabled(id))
    }

    /// Enables reputation (billable): refused without the account's agreement (403), without
    /// a valid `loa_document_id` (422), or when enabled already (400). The activation starts
    /// `pending` and is approved after the world's approval delay.
    pub fn enable(
        &mut self,
        account: usize,
        id: Uuid,
        loa_document_id: Option<&str>,
        check_frequency: CheckFrequency,
        now: DateTime<Utc>,
    ) -> Result<Settings, Refusal> {
        self.enterprise(account, id)?;
        if !self.has_agreed(account) {
            return Err(Refusal::TermsNotAgreed);
        }
        let document = check_document_id(loa_document_id)?;
        if self.settings_record(account, id).is_some() {
            return Err(Refusal::AlreadyEnabled(id));
        }
        let record = SettingsRecord {
            settings: Settings {
                enterprise_id: id,
                status: ReputationStatus::Pending,
                loa_status: LoaStatus::Pending,
                loa_document_id: Some(document),
                check_frequency,
                rejection_reasons: None,
                created_at: now,
                updated_at: now,
                external_verification_status: None,
                webhook_url: None,
            },
            approve_at: Some(now.checked_add_signed(self.approve_after).unwrap_or(now)),
            verification: None,
        };
        let view = record.view(now);
        if self.settings.len() <= account {
            self.settings
                .resize_with(account.saturating_add(1), Default::default);
        }
        if let Some(s) = self.settings.get_mut(account) {
            s.insert(id, record);
        }
        self.billing.enable = self.billing.enable.saturating_add(1);
        Ok(view)
    }

    /// Disables reputation: the settings (webhook URL and ownership proof included) go, and
    /// every number of the enterprise is de-registered, its removed numbers forgotten too.
    /// Returns how many monitored numbers were de-registered.
    pub fn disable(&mut self, account: usize, id: Uuid) -> Result<usize, Refusal> {
        self.settings_mut(account, id)?;
        if let Some(s) = self.settings.get_mut(account) {
            s.remove(&id);
        }
        let gone = self.index.remove_enterprise(account, id);
        for number in &gone {
            self.associations.remove(number);
        }
        for number in self.removed_index.remove_enterprise(account, id) {
            self.removed.remove(&number);
        }
        Ok(gone.len())
    }

    /// Changes the check frequency: refused while the activation is pending (400).
    pub fn update_frequency(
        &mut self,
        account: usize,
        id: Uuid,
        check_frequency: CheckFrequency,
        now: DateTime<Utc>,
    ) -> Result<Settings, Refusal> {
        let record = self.settings_mut(account, id)?;
        if !record.is_approved(now) {
            return Err(Refusal::Pending(id));
        }
        record.settings = record.view(now);
        record.settings.check_frequency = check_frequency;
        record.settings.updated_at = now;
        Ok(record.settings.clone())
    }

    /// Replaces the LOA document of an enabled enterprise.
    pub fn replace_loa(
        &mut self,
        account: usize,
        id: Uuid,
        loa_document_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Settings, Refusal> {
        let record = self.settings_mut(account, id)?;
        let document = check_document_id(loa_document_id)?;
        record.settings = record.view(now);
        record.settings.loa_document_id = Some(document);
        record.settings.updated_at = now;
        Ok(record.settings.clone())
    }
}
