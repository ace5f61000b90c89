#include "formats/pe/authenticode.hpp"

#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <climits>
#include <memory>

namespace sluice::formats::pe {
namespace {

struct Pkcs7Free {
  void operator()(PKCS7* p) const noexcept { PKCS7_free(p); }
};

std::string common_name(const X509_NAME* name) {
  if (name == nullptr) return {};
  const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, idx);
  const ASN1_STRING* data = entry ? X509_NAME_ENTRY_get_data(entry) : nullptr;
  if (data == nullptr) return {};
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0 || utf8 == nullptr) return {};
  std::string out(ByteView(utf8, static_cast<std::size_t>(len)).chars());
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

std::optional<Signer> read_signer(ByteView pkcs7) {
  if (pkcs7.empty() || pkcs7.size() > static_cast<std::size_t>(LONG_MAX)) return std::nullopt;
  const unsigned char* p = pkcs7.data();
  std::unique_ptr<PKCS7, Pkcs7Free> p7(d2i_PKCS7(nullptr, &p, static_cast<long>(pkcs7.size())));
  if (!p7 || !PKCS7_type_is_signed(p7.get()) || p7->d.sign == nullptr) return std::nullopt;
  STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(p7.get());
  if (infos == nullptr || sk_PKCS7_SIGNER_INFO_num(infos) <= 0) return std::nullopt;
  PKCS7_SIGNER_INFO* si = sk_PKCS7_SIGNER_INFO_value(infos, 0);
  if (si == nullptr || si->issuer_and_serial == nullptr) return std::nullopt;
  Signer out;
  X509_NAME* issuer = si->issuer_and_serial->issuer;
  out.issuer_cn = common_name(issuer);
  if (p7->d.sign->cert != nullptr) {
    X509* cert = X509_find_by_issuer_and_serial(p7->d.sign->cert, issuer, si->issuer_and_serial->serial);
    if (cert != nullptr) out.subject_cn = common_name(X509_get_subject_name(cert));
  }
  return out;
}

}  // namespace sluice::formats::pe
