#include "framework/toml_input.h"

#include <fmt/format.h>

#include <cstdint>
#include <vector>

#include "framework/error.h"

namespace gos {
namespace {

struct CodePoint {
  char32_t value;
  int line;
  int column;
};

[[noreturn]] void fail(const std::string& source, const CodePoint& where, const std::string& message) {
  throw Error(fmt::format("{}:{}:{}: {}", source, where.line, where.column, message));
}

// Decodes UTF-8 strictly (no overlong forms, surrogates or values past
// U+10FFFF), numbering lines and columns as toml++ does. A leading byte-order
// mark is dropped, as toml++ drops it.
std::vector<CodePoint> decode(std::string_view text, const std::string& source) {
  std::vector<CodePoint> points;
  points.reserve(text.size());
  int line = 1, column = 1;
  size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 1;
    char32_t value = lead;
    char32_t smallest = 0;
    if (lead >= 0x80) {
      if ((lead & 0xE0) == 0xC0) length = 2, value = lead & 0x1F, smallest = 0x80;
      else if ((lead & 0xF0) == 0xE0) length = 3, value = lead & 0x0F, smallest = 0x800;
      else if ((lead & 0xF8) == 0xF0) length = 4, value = lead & 0x07, smallest = 0x10000;
      else length = 0;
      bool valid = length != 0 && i + length <= text.size();
      for (size_t k = 1; valid && k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        valid = (next & 0xC0) == 0x80;
        value = (value << 6) | (next & 0x3F);
      }
      if (!valid || value < smallest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        fail(source, {lead, line, column}, fmt::format("malformed UTF-8 (byte 0x{:02X}); save the file as UTF-8", lead));
    }
    // Control characters are never valid TOML (tab and line breaks aside);
    // outside strings toml++ 3.3 meets them with an assumption, not an error.
    if ((value < 0x20 && value != U'\t' && value != U'\n' && value != U'\r') || value == 0x7F)
      fail(source, {value, line, column},
           fmt::format("control character U+{:04X} is not allowed in TOML (only tab and line breaks are); write it "
                       "as an escape such as \\u{:04X} inside a \"string\"",
                       static_cast<uint32_t>(value), static_cast<uint32_t>(value)));
    points.push_back({value, line, column});
    i += length;
    if (value == U'\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return points;
}

std::string describe(char32_t c) {
  std::string utf8;
  if (c < 0x800) {
    utf8 += static_cast<char>(0xC0 | (c >> 6));
  } else if (c < 0x10000) {
    utf8 += static_cast<char>(0xE0 | (c >> 12));
    utf8 += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  } else {
    utf8 += static_cast<char>(0xF0 | (c >> 18));
    utf8 += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    utf8 += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  }
  utf8 += static_cast<char>(0x80 | (c & 0x3F));
  return fmt::format("U+{:04X} '{}'", static_cast<uint32_t>(c), utf8);
}

// A lexer just precise enough to tell comments, keys and string values apart.
class Screen {
 public:
  Screen(std::vector<CodePoint> points, const std::string& source) : points_(std::move(points)), source_(source) {}

  void run() {
    while (i_ < points_.size()) {
      const CodePoint& point = points_[i_];
      const char32_t c = point.value;
      if (c == U'#') {
        while (i_ < points_.size() && points_[i_].value != U'\n') ++i_;
        continue;
      }
      if (c == U'"' || c == U'\'') {
        string(expect() == Expect::kKey);
        continue;
      }
      if (c >= 0x80)
        fail(source_, point,
             fmt::format("non-ASCII character {} outside a string or comment; TOML allows non-ASCII text only in "
                         "\"quoted strings\" and # comments",
                         describe(c)));
      punctuation(c);
      ++i_;
    }
  }

 private:
  enum class Expect { kKey, kValue };
  struct Open {
    char32_t closer;  // ']' of an array value, '}' of an inline table
    Expect expect;    // inside an inline table: key before '=', value after
  };

  Expect expect() const {
    if (open_.empty()) return header_ ? Expect::kKey : top_;
    return open_.back().closer == U'}' ? open_.back().expect : Expect::kValue;
  }

  void punctuation(char32_t c) {
    switch (c) {
      case U'\n':
        if (open_.empty()) top_ = Expect::kKey, header_ = false;
        break;
      case U'=':
        if (open_.empty()) top_ = Expect::kValue;
        else if (open_.back().closer == U'}') open_.back().expect = Expect::kValue;
        break;
      case U'[':
        if (open_.empty() && top_ == Expect::kKey) {  // [table] or [[array]]
          const bool first = !header_;
          header_ = true;
          check_header_start(first);
        } else {
          open_.push_back({U']', Expect::kValue});
        }
        break;
      case U'{': open_.push_back({U'}', Expect::kKey}); break;
      case U']':
      case U'}':
        if (!open_.empty() && open_.back().closer == c) open_.pop_back();
        break;
      case U',':
        if (!open_.empty() && open_.back().closer == U'}') open_.back().expect = Expect::kKey;
        break;
      default: break;
    }
  }

  bool at(size_t k, char32_t c) const { return k < points_.size() && points_[k].value == c; }

  // toml++ 3.3 assumes (asserts in debug builds) that a table header's '['
  // is followed, after spaces, by the start of a key: `[#`, `[=` or a '['
  // at the end of a line would be undefined behaviour there (found by fuzzing).
  void check_header_start(bool first_bracket) const {
    if (first_bracket && at(i_ + 1, U'[')) return;  // [[array]]: the second '[' is checked in turn
    size_t k = i_ + 1;
    while (k < points_.size() && (points_[k].value == U' ' || points_[k].value == U'\t')) ++k;
    if (k >= points_.size()) return;  // toml++ reports the end of the file
    const char32_t c = points_[k].value;
    const bool key_start = (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') ||
                           c == U'_' || c == U'-' || c == U'"' || c == U'\'' || c == U']';
    if (!key_start)
      fail(source_, points_[k],
           c == U'\n' || c == U'\r' ? std::string("a table header '[' must be followed by a key on the same line")
                                    : fmt::format("a table header '[' must be followed by a key, not '{}'",
                                                  c < 0x80 ? std::string(1, static_cast<char>(c)) : describe(c)));
  }

  void reject_in_key(const CodePoint& point) const {
    fail(source_, point,
         fmt::format("non-ASCII character {} in a quoted key; GOS keys are ASCII (see docs/EXPERIMENTS.md)",
                     describe(point.value)));
  }

  void reject_after_backslash(const CodePoint& point) const {
    fail(source_, point,
         fmt::format("non-ASCII character {} after a backslash; valid escapes are \\b \\t \\n \\f \\r \\\" \\\\ "
                     "\\uXXXX \\UXXXXXXXX",
                     describe(point.value)));
  }

  // From the opening quote at i_ to just past the closing one.
  void string(bool is_key) {
    const char32_t quote = points_[i_].value;
    const bool multi_line = at(i_ + 1, quote) && at(i_ + 2, quote);
    const bool basic = quote == U'"';
    i_ += multi_line ? 3 : 1;
    while (i_ < points_.size()) {
      const CodePoint& point = points_[i_];
      if (point.value == quote && (!multi_line || (at(i_ + 1, quote) && at(i_ + 2, quote)))) {
        i_ += multi_line ? 3 : 1;
        // A """ string may end with one or two more quotes, which belong to it.
        for (int extra = 0; multi_line && extra < 2 && at(i_, quote); ++extra) ++i_;
        return;
      }
      if (point.value == U'\n' && !multi_line) return;  // unterminated: toml++ reports it
      if (point.value >= 0x80 && is_key) reject_in_key(point);
      if (basic && point.value == U'\\') {
        ++i_;
        if (i_ >= points_.size()) return;
        if (points_[i_].value >= 0x80) reject_after_backslash(points_[i_]);
        if (multi_line && is_space(points_[i_].value)) {
          // A line-ending backslash: toml++ classifies every character up to the next non-space one.
          while (i_ < points_.size() && is_space(points_[i_].value)) ++i_;
          if (i_ < points_.size() && points_[i_].value >= 0x80) reject_after_backslash(points_[i_]);
          continue;
        }
      }
      ++i_;
    }
  }

  static bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r'; }

  std::vector<CodePoint> points_;
  const std::string& source_;
  size_t i_ = 0;
  std::vector<Open> open_;
  Expect top_ = Expect::kKey;
  bool header_ = false;
};

}  // namespace

void check_toml_text(std::string_view text, const std::string& source) {
  Screen(decode(text, source), source).run();
}

toml::table parse_toml(std::string_view text, const std::string& source) {
  check_toml_text(text, source);
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw Error(fmt::format("{}:{}:{}: TOML syntax error: {}", source, e.source().begin.line, e.source().begin.column,
                            e.description()));
  }
}

SourceLocation toml_location(const toml::source_region& source, const std::string& file,
                             const std::string& unsourced) {
  if (source.begin.line == 0) return {unsourced, 0, 0};
  return {file, static_cast<int>(source.begin.line), static_cast<int>(source.begin.column)};
}

std::string toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date/time";
  }
}

}  // namespace gos
