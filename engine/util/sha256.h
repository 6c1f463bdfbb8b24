#pragma once
#include <string>
#include <string_view>

namespace hashsim {
// Hex SHA-256 (OpenSSL EVP), used for provenance: scenario text, catalogue, data files.
std::string sha256_hex(std::string_view data);
}  // namespace hashsim
