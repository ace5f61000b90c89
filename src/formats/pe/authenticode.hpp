#pragma once
// Authenticode signer names from the certificate table's PKCS#7 SignedData.
// Identification only: no chain, time or digest validation (that needs the
// Windows trust store and the image hash; peers such as ClamAV do it separately).
#include <optional>
#include <string>

#include "sluice/byte_view.hpp"

namespace sluice::formats::pe {

struct Signer {
  std::string subject_cn;  // of the certificate matching the first SignerInfo
  std::string issuer_cn;   // from that SignerInfo's issuerAndSerialNumber
};

// Nothing when the bytes are not a DER PKCS#7 SignedData with a SignerInfo.
[[nodiscard]] std::optional<Signer> read_signer(ByteView pkcs7);

}  // namespace sluice::formats::pe
