#pragma once
// TOML text in, a toml++ table out; every failure is a gos::Error that names
// source:line:column.
//
// Why a screen in front of the parser: Debian's toml++ 3.3 classifies
// whitespace with generated tables that end in __builtin_unreachable for most
// code points in U+00A1..U+0499 (Latin-1, Greek, Cyrillic, ...) and a few
// other ranges. The parser asks that question of every character it reads
// while it records a key, and of the character after a value or a string
// escape, so `[experime·nt]`, `"café" = 1` or `x = 1é` is undefined behaviour
// (UBSan reports it; an optimised build may do anything). TOML 1.0 allows
// non-ASCII text only in comments and strings, so the screen rejects every
// other use with a clear message before toml++ reads the text:
//   - malformed UTF-8 anywhere, and control characters other than tab and
//     line breaks anywhere (found by fuzzing: `[\x02strategy]` reaches an
//     assertion, __builtin_assume in release builds, in toml++'s parse_key);
//   - a non-ASCII character outside a comment or a string;
//   - a non-ASCII character in a quoted key (GOS keys are ASCII anyway);
//   - a non-ASCII character right after a backslash in a basic string, or as
//     the first character after a line-ending backslash in a """string""".
// Non-ASCII text in comments and string values passes unchanged.
#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "framework/params.h"

namespace gos {

// Where a node without a source position came from, unless the caller says
// otherwise: values given with --set are parsed into nodes of their own.
inline constexpr const char* kOverrideSource = "command line --set";

// The position of a node or key read from `file`; one without a position
// (made by --set, or by a command that builds a table itself) is reported as
// coming from `unsourced`.
SourceLocation toml_location(const toml::source_region& source, const std::string& file,
                             const std::string& unsourced = kOverrideSource);

// "a table", "an integer", ...: a node's type as error messages name it.
std::string toml_type_name(const toml::node& node);

// Throws gos::Error("source:line:column: ...") for text the screen rejects.
// Lines and columns count from 1; columns count characters, as toml++'s do.
void check_toml_text(std::string_view text, const std::string& source);

// check_toml_text, then toml::parse; a syntax error becomes a gos::Error
// "source:line:column: TOML syntax error: ...".
toml::table parse_toml(std::string_view text, const std::string& source);

}  // namespace gos
