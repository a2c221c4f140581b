#include "framework/toml_input.h"

#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "framework/error.h"

namespace gos {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::string_view text) {
  try {
    check_toml_text(text, "t.toml");
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

std::string utf8(char32_t c) {
  std::string out;
  if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  }
  out += static_cast<char>(0x80 | (c & 0x3F));
  return out;
}

// Every place where toml++ 3.3 would classify a non-ASCII character (and may
// reach __builtin_unreachable) is rejected, for every code point.
TEST(TomlInput, EveryNonAsciiCodePointIsRejectedWhereTheParserWouldClassifyIt) {
  for (char32_t c = 0x80; c <= 0x10FFFF; c += (c < 0x800 ? 1 : 211)) {  // every 2-byte form, a spread of longer ones
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const std::string s = utf8(c);
    for (const std::string& text :
         {"[a" + s + "b]\n", s + "\n", "x = 1" + s + "\n", "\"k" + s + "\" = 1\n", "'k" + s + "' = 1\n",
          "[a.\"" + s + "\"]\n", "t = { \"" + s + "\" = 1 }\n", "x = [1, 2" + s + "]\n", "x = \"\\" + s + "\"\n",
          "x = \"\"\"a\\\n  " + s + "\"\"\"\n", "x = \"a\"" + s + "\n"})
      ASSERT_NE(error_of(text), "") << "U+" << std::hex << static_cast<uint32_t>(c) << " in: " << text;
  }
}

TEST(TomlInput, NonAsciiInCommentsAndStringValuesPasses) {
  for (const char* text :
       {"# caf\u00e9 \u00b7 \u0416 \U0001F600\n", "x = \"caf\u00e9\"  # \u00b7\n", "x = 'caf\u00e9'\n",
        "x = \"\"\"\nl\u00ednea\n\u00b7\"\"\"\n", "x = '''\u00b7'''\n", "x = [\"\u00e9\", '\u00b7']\n",
        "t = { k = \"\u00e9\" }\n", "x = \"\\\"\u00e9\"\n", "\xEF\xBB\xBFx = 1\n", "x = \"\"\"a\"\"\u00e9\"\"\"\n"})
    EXPECT_EQ(error_of(text), "") << text;
}

TEST(TomlInput, MessagesNameLineColumnAndCodePoint) {
  EXPECT_EQ(error_of("[experiment]\n[experime\u00b7nt]\n"),
            "t.toml:2:10: non-ASCII character U+00B7 '\u00b7' outside a string or comment; TOML allows non-ASCII "
            "text only in \"quoted strings\" and # comments");
  EXPECT_THAT(error_of("x = \"\u00e9\u00e9\"\ny = 1\u00e9\n"), HasSubstr("t.toml:2:6: non-ASCII character U+00E9"));
  EXPECT_THAT(error_of("x = \"a\xC0\xAF\"\n"), HasSubstr("t.toml:1:7: malformed UTF-8 (byte 0xC0)"));  // overlong '/'
  EXPECT_THAT(error_of("x = \"\xF4\x90\x80\x80\"\n"), HasSubstr("malformed UTF-8"));               // past U+10FFFF
  EXPECT_THAT(error_of("x = \"\xE2\x82\""), HasSubstr("t.toml:1:6: malformed UTF-8"));             // truncated
}

// Found by fuzz_toml: a control character in a table header reached an
// assertion (an assumption in release builds) in toml++'s parse_key.
TEST(TomlInput, ControlCharactersAreRejectedAnywhere) {
  EXPECT_EQ(error_of(std::string("[\x02\x00\x01strategy]\n", 13)),
            "t.toml:1:2: control character U+0002 is not allowed in TOML (only tab and line breaks are); write it as an "
            "escape such as \\u0002 inside a \"string\"");
  for (char c : {'\x00', '\x07', '\x1b', '\x7f'}) {
    for (const std::string& text : {std::string("x = 1") + c + "\n", std::string("x = \"a") + c + "\"\n",
                                     std::string("# a") + c + "\n"})
      EXPECT_THAT(error_of(text), HasSubstr("control character U+00")) << static_cast<int>(c);
  }
  EXPECT_EQ(error_of("x = \"a\tb\"\r\ny = 2\n"), "");
}

// Found by fuzz_toml: a table header without a key start reached the same
// assertion: `[# comment`, `[=`, a '[' that ends the line.
TEST(TomlInput, TableHeadersMustStartWithAKey) {
  EXPECT_EQ(error_of("x = 1\n[# a comment\n"), "t.toml:2:2: a table header '[' must be followed by a key, not '#'");
  EXPECT_THAT(error_of("[ =]\n"), HasSubstr("t.toml:1:3: a table header '[' must be followed by a key, not '='"));
  EXPECT_THAT(error_of("[[.a]]\n"), HasSubstr("t.toml:1:3:"));
  EXPECT_THAT(error_of("[[[objectives]]\n"), HasSubstr("t.toml:1:3: a table header '[' must be followed by a key, not '['"));
  EXPECT_THAT(error_of("[\nx = 1\n"), HasSubstr("followed by a key on the same line"));
  for (const char* ok : {"[a]\n", "[ a . b ]\n", "[[a]]\n", "[\"q\"]\n", "['q']\n", "[-_0]\n", "x = [ # c\n 1]\n"})
    EXPECT_EQ(error_of(ok), "") << ok;
}

TEST(TomlInput, ParseErrorsBecomeLocatedGosErrors) {
  try {
    parse_toml("[a]\nx = \n", "t.toml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("t.toml:2:"));
    EXPECT_THAT(e.what(), HasSubstr("TOML syntax error"));
  }
  EXPECT_EQ(parse_toml("[a]\nx = 1\n", "t.toml")["a"]["x"].value<int64_t>(), 1);
}

TEST(TomlInput, EveryShippedExperimentPasses) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(GOS_SOURCE_DIR "/experiments")) {
    if (entry.path().extension() != ".toml") continue;
    std::ifstream stream(entry.path());
    std::stringstream text;
    text << stream.rdbuf();
    EXPECT_EQ(error_of(text.str()), "") << entry.path();
    ++files;
  }
  EXPECT_GT(files, 10u);
}

}  // namespace
}  // namespace gos
