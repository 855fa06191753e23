//! Closed code lists (categories, source types, statuses...): each value has
//! a stable code that is stored and typed, and a label that is shown.

/// Defines an enum whose values have a stored code and a human label, with
/// `ALL`, `code()`, `label()`, `parse()` (accepting the code or the label,
/// ignoring case, spaces, `_` and `-`), and `Display` (the label).
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($field:literal) {
            $( $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $( $variant, )+ }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code, )+ }
            }

            /// The label shown to users.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label, )+ }
            }

            pub fn parse(text: &str) -> Result<$name, $crate::domain::InvalidInput> {
                let key = $crate::domain::codes::fold(text);
                for value in Self::ALL {
                    if key == $crate::domain::codes::fold(value.code())
                        || key == $crate::domain::codes::fold(value.label())
                    {
                        return Ok(*value);
                    }
                }
                Err($crate::domain::InvalidInput::new(
                    $field,
                    format!(
                        "'{}' is not one of: {}",
                        text.trim(),
                        Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
                    ),
                ))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// Lower-case letters and digits only, for forgiving comparison.
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

pub(crate) use code_list;
