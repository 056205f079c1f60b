//! Reading an inventory: the bulk engine's pre-flight over the inputs (the same rules, the
//! same refusals and duplicates as `associate_all`), keeping the distinct valid numbers for a
//! [`SyncPlan`](super::SyncPlan).

use telnyx_e164::UsNumber;

use crate::bulk::{Duplicate, Parsing, Refusal, preflight};

/// An inventory checked number by number, before anything is planned or sent.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Inventory {
    /// Inputs read, valid or not, duplicates included.
    pub inputs: u64,
    /// Distinct valid numbers, in the order of their first input.
    pub numbers: Vec<UsNumber>,
    /// Inputs refused, each with its 0-based position and the E.164 rule it broke.
    pub refused: Vec<Refusal>,
    /// Inputs dropped because an earlier input is the same number.
    pub duplicates: Vec<Duplicate>,
}

impl Inventory {
    /// Checks every input with the pre-flight of the bulk engine ([`Parsing`] as for
    /// [`BulkOptions::parsing`](crate::bulk::BulkOptions::parsing)). Inputs are consumed as
    /// they come; what is kept is 8 bytes per distinct valid number plus the text of refused
    /// and duplicate inputs.
    pub fn read<I, S>(inputs: I, parsing: Parsing) -> Inventory
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let checked = preflight(inputs, parsing);
        Inventory {
            inputs: checked.inputs,
            numbers: checked
                .valid
                .into_iter()
                .filter_map(UsNumber::from_national_number)
                .collect(),
            refused: checked.refused,
            duplicates: checked.duplicates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inventory_keeps_the_valid_numbers_and_names_refusals_and_duplicates() {
        let inventory = Inventory::read(
            ["+16035550001", "(603) 555-0002", "+1603555", "+16035550001"],
            Parsing::Lenient,
        );
        assert_eq!(inventory.inputs, 4);
        let numbers: Vec<String> = inventory.numbers.iter().map(|n| n.to_string()).collect();
        assert_eq!(numbers, ["+16035550001", "+16035550002"]);
        assert_eq!(inventory.refused.len(), 1);
        assert_eq!(inventory.refused[0].index, Some(2));
        assert_eq!(inventory.duplicates.len(), 1);
        assert_eq!(inventory.duplicates[0].index, 3);
        assert_eq!(inventory.duplicates[0].first_index, 0);
    }
}
