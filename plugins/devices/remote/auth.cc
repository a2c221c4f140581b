#include "plugins/devices/remote/auth.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gos::remote {
namespace {

std::string nonce_text(const Nonce& nonce) {
  return std::string(reinterpret_cast<const char*>(nonce.data()), nonce.size());
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

Nonce random_nonce() {
  Nonce nonce;
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1)
    throw Error("OpenSSL could not produce random bytes for a nonce");
  return nonce;
}

Tag hmac_sha256(std::string_view key, std::string_view message) {
  Tag tag{};
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), tag.data(), &size) ||
      size != tag.size())
    throw Error("OpenSSL HMAC-SHA256 failed");
  return tag;
}

bool tags_equal(const Tag& a, const Tag& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

Tag client_proof(std::string_view token, const Nonce& client, const Nonce& agent) {
  return hmac_sha256(token, "gos-agent client v1" + nonce_text(agent) + nonce_text(client));
}

Tag agent_proof(std::string_view token, const Nonce& client, const Nonce& agent) {
  return hmac_sha256(token, "gos-agent agent v1" + nonce_text(client) + nonce_text(agent));
}

std::string session_key(std::string_view token, const Nonce& client, const Nonce& agent) {
  const Tag key = hmac_sha256(token, "gos-agent session v1" + nonce_text(client) + nonce_text(agent));
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

Tag frame_tag(std::string_view key, const FrameHeader& header, std::string_view payload) {
  const auto head = encode_header(header);
  std::string message(reinterpret_cast<const char*>(head.data()), head.size());
  message += payload;
  return hmac_sha256(key, message);
}

std::string read_token_file(const std::filesystem::path& file, std::string* warnings) {
  std::ifstream in(file);
  if (!in)
    throw Error(fmt::format("token file '{}' cannot be read ({}); create one with 'gos agent --new-token {}'",
                            file.string(), std::strerror(errno), file.string()));
  std::stringstream text;
  text << in.rdbuf();
  const std::string token = trim(text.str());
  if (token.empty()) throw Error(fmt::format("token file '{}' is empty", file.string()));
  if (token.size() < kMinTokenLength)
    throw Error(fmt::format("token in '{}' has {} characters; use at least {} (e.g. 'gos agent --new-token FILE')",
                            file.string(), token.size(), kMinTokenLength));
  struct stat info {};
  if (warnings && ::stat(file.c_str(), &info) == 0 && (info.st_mode & S_IRWXO))
    *warnings = fmt::format("token file '{}' may be read by every user (mode {:o}); chmod 600 it (or 640 for a group)",
                            file.string(), info.st_mode & 0777);
  return token;
}

void write_new_token_file(const std::filesystem::path& file) {
  const Nonce bytes = random_nonce();
  std::string hex;
  for (uint8_t b : bytes) hex += fmt::format("{:02x}", b);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw Error(fmt::format("cannot create token file '{}': {}", file.string(), std::strerror(errno)));
  hex += "\n";
  const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  ::close(fd);
  if (!ok) throw Error(fmt::format("cannot write token file '{}'", file.string()));
}

}  // namespace gos::remote
