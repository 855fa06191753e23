//! Every user intent the keymap can name, with the one-line description the
//! help popup, the status-line hints and the command palette show.

/// Where the user is; each has its own section in a keymap file, and
/// bindings under `global` apply everywhere a text field is not focused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    List,
    Detail,
    Form,
    Popup,
}

impl Context {
    pub const ALL: [Context; 5] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Form,
        Context::Popup,
    ];

    /// The section name in a keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Detail => "detail",
            Context::Form => "form",
            Context::Popup => "popup",
        }
    }

    pub fn parse(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }
}

macro_rules! actions {
    (
        { $($before:ident => $bname:literal, $bdesc:literal;)* }
        go { $($place:ident => $pname:literal, $pdesc:literal;)* }
        { $($variant:ident => $name:literal, $desc:literal;)* }
    ) => {
        /// Where a "go to" action goes: an area of the application (each
        /// area names its own in `app::areas`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Place {
            $($place,)*
        }

        /// A user intent. Keys map to these; `App::update` acts on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($before,)*
            /// Go to an area.
            Go(Place),
            $($variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[
                $(Action::$before,)*
                $(Action::Go(Place::$place),)*
                $(Action::$variant,)*
            ];

            /// The name used in keymap files and the command palette.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$before => $bname,)*
                    $(Action::Go(Place::$place) => $pname,)*
                    $(Action::$variant => $name,)*
                }
            }

            /// What it does, in a line.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$before => $bdesc,)*
                    $(Action::Go(Place::$place) => $pdesc,)*
                    $(Action::$variant => $desc,)*
                }
            }

            pub fn parse(name: &str) -> Option<Action> {
                Action::ALL.iter().copied().find(|a| a.name() == name)
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/places.rs"));

// The "go to" actions come between the two lists: one per area, as each
// area's file declares it (`app::areas`).
actions_with_places! {
    {
        Quit => "quit", "Quit ccu";
        Help => "help", "Show every key for where you are";
        Palette => "palette", "Run any action by name";
        Search => "search", "Search every kind of casework record";
        Lock => "lock", "Lock the screen now";
        LogOut => "log_out", "Log out, back to the login screen (to log in as someone else)";
    }
    {
        NextArea => "next_area", "Go to the next area";
        PrevArea => "prev_area", "Go to the previous area";

        Up => "up", "Move up";
        Down => "down", "Move down";
        PageUp => "page_up", "Move up a page";
        PageDown => "page_down", "Move down a page";
        Top => "top", "Go to the first row";
        Bottom => "bottom", "Go to the last row";
        Open => "open", "Open the selected record";
        Back => "back", "Close this and go back";
        NextPane => "next_pane", "Move focus to the next pane or field";
        PrevPane => "prev_pane", "Move focus to the previous pane or field";

        SortNext => "sort_next", "Sort by the next column";
        SortReverse => "sort_reverse", "Reverse the sort order";
        Filter => "filter", "Filter the list by the sorted column";
        ClearFilter => "clear_filter", "Clear the filter";
        Refresh => "refresh", "Reload from the case file";

        New => "new", "Create a record here";
        Edit => "edit", "Edit the open record";
        AddDecision => "add_decision", "Add a decision-log entry to the operation";
        Triage => "triage", "Record a triage outcome for the intelligence";
        Team => "team", "Put someone on the operation's team, or take them off";
        LinkSubject => "link_subject", "Link a subject to the open operation or intelligence";
        ChangeStatus => "change_status", "Change the open record's status: an operation's, or an account's (disable, enable)";
        Close => "close", "Close the open record: an operation, a bid (completed or withdrawn), an authorisation (cancelled)";
        ProposeThreshold => "propose_threshold", "Propose going covert: the threshold criteria for the operation";
        Decide => "decide", "Decide what the open record waits for: a threshold, a bid, an authorisation, a risk assessment's intervention, or (on the queue) a request for access or a status drift warning";
        Submit => "submit", "Submit the bid, or refer the referral to the IOPC";
        NewBid => "new_bid", "Bid for resources for the operation";
        ApplyAuthorisation => "apply_authorisation", "Apply for a covert authorisation for the operation";
        NewReferral => "new_referral", "Record an IOPC referral (a re-referral from an open referral)";
        Review => "review", "Review the authorisation";
        Renew => "renew", "Renew the authorisation from its end";
        JudicialApproval => "judicial_approval", "Record a Judicial Commissioner's approval";
        IopcDecision => "iopc_decision", "Record the IOPC's decision on the referral";
        Export => "export", "Export the central record of authorisations as CSV";
        ResetPassword => "reset_password", "Reset the open account's password to a one-time password";
        ExportBundle => "export_bundle", "Export the audit trail as a bundle for oversight";
        Checkpoint => "checkpoint", "Sign a checkpoint of the whole audit trail";
        VerifyBundle => "verify_bundle", "Verify an export bundle with the public key";
        JumpToEvent => "jump_to_event", "Go to an audit event by its number";
        SetCapacity => "set_capacity", "Set a resource type's weekly capacity";
        RecordEngagement => "record_engagement", "Record a meeting, briefing or referral with the open partner agency";
        LinkPartner => "link_partner", "Link partner-agency intelligence to the partner it came from";

        Save => "save", "Save the form";
        NextChoice => "next_choice", "Pick the next value in a pick-list";
        PrevChoice => "prev_choice", "Pick the previous value in a pick-list";
        Pick => "pick", "Choose the field's value from a list: staff numbers, codenames, usernames, resource types, partner agencies";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
        for a in Action::ALL {
            assert_eq!(Action::parse(a.name()), Some(*a));
            assert!(!a.description().is_empty());
        }
        assert_eq!(Action::parse("no_such_action"), None);
    }
}
