//! telnyx-reputation-codegen
