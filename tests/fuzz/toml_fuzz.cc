// libFuzzer target: the TOML screen (framework/toml_input.h) in front of
// toml++, compiled header-only so that UBSan sees inside the parser. Contract:
// parse_toml returns a table or throws gos::Error; toml++ never reaches its
// unreachable-code paths (UBSan aborts when it does). Small and quick to
// build, so it runs longest per minute of fuzzing (docs/FUZZING.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "framework/error.h"
#include "framework/toml_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const toml::table table = gos::parse_toml(text, "fuzz.toml");
    (void)table.size();
  } catch (const gos::Error&) {
  }
  return 0;
}
