#pragma once
// Authentication of agent connections: HMAC-SHA256 (OpenSSL libcrypto) over a
// shared token, with fresh random nonces from both sides.
//
//   client -> agent  Hello(client nonce)
//   agent -> client  Challenge(agent nonce)
//   client -> agent  Auth(HMAC(token, "gos-agent client v1" | agent nonce | client nonce))
//   agent -> client  Welcome(HMAC(token, "gos-agent agent v1" | client nonce | agent nonce))
//
// Both then tag every frame with HMAC(session key, header | payload), the
// session key being HMAC(token, "gos-agent session v1" | client nonce | agent
// nonce): the token itself never travels, each side proves it holds the token,
// and nothing recorded from one connection is accepted on another.
#include <filesystem>
#include <string>

#include "plugins/devices/remote/protocol.h"

namespace gos::remote {

// At least this many characters (a 32-byte random token in hex has 64).
inline constexpr size_t kMinTokenLength = 16;

Nonce random_nonce();  // from OpenSSL's RAND_bytes; throws when it fails
Tag hmac_sha256(std::string_view key, std::string_view message);
bool tags_equal(const Tag& a, const Tag& b);  // constant time (CRYPTO_memcmp)

Tag client_proof(std::string_view token, const Nonce& client, const Nonce& agent);
Tag agent_proof(std::string_view token, const Nonce& client, const Nonce& agent);
std::string session_key(std::string_view token, const Nonce& client, const Nonce& agent);

// The tag of a frame under the session key (over header and payload).
Tag frame_tag(std::string_view key, const FrameHeader& header, std::string_view payload);

// The token in `file`, surrounding whitespace removed. Throws gos::Error when
// the file is missing, unreadable, empty or the token shorter than
// kMinTokenLength. `warnings` receives a note when others may read the file.
std::string read_token_file(const std::filesystem::path& file, std::string* warnings = nullptr);
// A new random token (32 bytes in hex) written to `file` with mode 0600;
// refuses to overwrite an existing file.
void write_new_token_file(const std::filesystem::path& file);

}  // namespace gos::remote
