//! The string enums of the event payloads, each open: a value this version does not know is
//! kept in an `Other` variant instead of failing the event.
//!
//! `NumberSource` and `OwnershipStatus` are the same sets as the phone-number record's `source`
//! and `ownership_status`; they live here, apart from the events, so that they can later be
//! replaced by the API crate's own types in one place.

use std::fmt;

/// Defines an open string enum: its known variants with their wire values, an
/// `Other(String)` variant for anything else, `as_str`, `Display`, `From<&str>` and serde as a
/// plain JSON string.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this version of the library does not know, exactly as sent.
            Other(String),
        }

        impl $name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            /// The known variant with this wire value, or `Other` keeping it.
            fn from(wire: &str) -> $name {
                match wire {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let wire = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok($name::from(wire.as_ref()))
            }
        }
    };
}

open_enum! {
    /// Where a monitored number is hosted (`source`).
    NumberSource {
        /// `telnyx`: in the account's Telnyx inventory; ownership is tracked through it.
        Telnyx = "telnyx",
        /// `external`: owned by the account but hosted with another provider; its carrier is
        /// checked daily.
        External = "external",
    }
}

open_enum! {
    /// Where a number's ownership tracking stands (`ownership_status`). A `flagged` event
    /// carries `pending_confirmation`, a `removed` event `removed`.
    OwnershipStatus {
        /// `verified`: ownership is established.
        Verified = "verified",
        /// `flagged`: a re-verification went unanswered; still monitored, not removed.
        Flagged = "flagged",
        /// `pending_confirmation`: the account must confirm ownership before `confirm_by`.
        PendingConfirmation = "pending_confirmation",
        /// `removed`: no longer monitored.
        Removed = "removed",
    }
}

open_enum! {
    /// Why a number needs its ownership confirmed (`flag_reason` of a flagged event).
    FlagReason {
        /// `carrier_changed`: a check found the number with a different carrier. Unconfirmed by
        /// `confirm_by`, the number is removed.
        CarrierChanged = "carrier_changed",
        /// `reverification_due`: the periodic ownership re-verification is due. Unconfirmed by
        /// `confirm_by`, the number is flagged (not removed).
        ReverificationDue = "reverification_due",
    }
}

open_enum! {
    /// Why a number was removed from monitoring (`removal_reason` of a removed event). The
    /// record's `customer_removed` (a DELETE) sends no event, so it is not listed, but would be
    /// kept as `Other` if it came.
    RemovalReason {
        /// `ported_away`: the account confirmed that the number left its control after a
        /// carrier change.
        PortedAway = "ported_away",
        /// `unconfirmed_ownership`: a carrier change was not confirmed by `confirm_by`.
        UnconfirmedOwnership = "unconfirmed_ownership",
        /// `reassigned`: the number was reported permanently disconnected.
        Reassigned = "reassigned",
        /// `customer_reported`: the account said it no longer owns the number.
        CustomerReported = "customer_reported",
    }
}

open_enum! {
    /// The outcome of the review of an enterprise's ownership proof (`status` of a
    /// verification event; `pending` is never sent).
    VerificationStatus {
        /// `approved`: numbers hosted elsewhere can now be associated.
        Approved = "approved",
        /// `rejected`: see the event's `rejection_reason`; the proof may be submitted again.
        Rejected = "rejected",
    }
}
