//! telnyx-e164
