// libFuzzer target for the agent's message decoders (scripts/fuzz.sh):
// Every input must be decoded or refused with a ProtocolError; anything else
// (a crash, another exception, a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plugins/devices/remote/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gos::remote;
  const Limits limits{.max_payload = 1 << 16, .max_string = 1 << 12, .max_list = 256};
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto refuse = [](auto decode) {
    try {
      decode();
    } catch (const ProtocolError&) {
    }
  };
  refuse([&] { decode_frame(bytes, limits); });
  if (size >= kHeaderSize) refuse([&] { decode_header(data, limits); });
  refuse([&] { decode_workload(bytes, limits); });
  refuse([&] { decode_device_info(bytes, limits); });
  refuse([&] { decode_measurement(bytes, limits); });
  refuse([&] { decode_error(bytes, limits); });
  refuse([&] { decode_nonce(bytes, limits, MessageType::kHello); });
  refuse([&] { decode_tag_payload(bytes, limits, MessageType::kAuth); });
  return 0;
}
