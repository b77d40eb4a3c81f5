// SPDX-License-Identifier: MIT
#include "core/nats/natsnkey.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <QString>

#include <array>
#include <memory>
#include <optional>

namespace Clickscope {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr quint8 kSeedPrefix = 18 << 3;   // what makes a seed start with S
constexpr qsizetype kSeedText = 58;

// Base32 (RFC 4648's alphabet), without padding.
QByteArray toBase32(QByteArrayView bytes)
{
    QByteArray out;
    out.reserve((bytes.size() * 8 + 4) / 5);
    quint32 buffer = 0;
    int bits = 0;
    for (char c : bytes) {
        buffer = (buffer << 8) | quint8(c);
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out += kAlphabet[(buffer >> bits) & 31];
        }
    }
    if (bits > 0)
        out += kAlphabet[(buffer << (5 - bits)) & 31];
    return out;
}

std::optional<QByteArray> fromBase32(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size() * 5 / 8);
    quint32 buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value = -1;
        if (c >= 'A' && c <= 'Z')
            value = c - 'A';
        else if (c >= '2' && c <= '7')
            value = c - '2' + 26;
        if (value < 0)
            return std::nullopt;
        buffer = (buffer << 5) | quint32(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out += char((buffer >> bits) & 0xff);
        }
    }
    // The bits past the last byte are 0 in what an encoder wrote: other text for the same bytes
    // is not the key's.
    if ((buffer & ((1U << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}

// CRC-16/XMODEM, which ends every encoded key (little-endian).
quint16 crc16(QByteArrayView bytes)
{
    quint16 crc = 0;
    for (char c : bytes) {
        crc ^= quint16(quint8(c) << 8);
        for (int i = 0; i < 8; ++i)
            crc = (crc & 0x8000) ? quint16((crc << 1) ^ 0x1021) : quint16(crc << 1);
    }
    return crc;
}

QByteArray encode(QByteArray raw)
{
    const quint16 crc = crc16(raw);
    raw += char(crc & 0xff);
    raw += char(crc >> 8);
    return toBase32(raw);
}

bool isRole(quint8 byte)
{
    return byte == quint8(NatsNkey::Role::Account) || byte == quint8(NatsNkey::Role::Operator)
           || byte == quint8(NatsNkey::Role::User);
}

struct PkeyDeleter
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
struct MdContextDeleter
{
    void operator()(EVP_MD_CTX *context) const { EVP_MD_CTX_free(context); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

Pkey privateKey(const QByteArray &seed)
{
    return Pkey(EVP_PKEY_new_raw_private_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(seed.constData()), size_t(seed.size())));
}

// The public key as written, or empty when OpenSSL could not make the key pair.
QByteArray publicKeyOf(NatsNkey::Role role, const QByteArray &seed)
{
    const Pkey key = privateKey(seed);
    std::array<unsigned char, 32> bytes{};
    size_t size = bytes.size();
    if (!key || EVP_PKEY_get_raw_public_key(key.get(), bytes.data(), &size) != 1 || size != bytes.size())
        return {};
    QByteArray raw(1, char(role));
    raw.append(reinterpret_cast<const char *>(bytes.data()), qsizetype(size));
    return encode(std::move(raw));
}

}   // namespace

Result<NatsNkey> NatsNkey::fromSeed(QByteArrayView text)
{
    text = text.trimmed();
    // Two prefix bytes, the seed, the CRC: 36 bytes in 58 characters.
    const auto raw = text.size() == kSeedText ? fromBase32(text) : std::nullopt;
    if (!raw || raw->size() != 2 + kSeedBytes + 2)
        return unexpected(QStringLiteral("not an nkey seed (58 letters and digits starting with S)"));
    const QByteArrayView body = QByteArrayView(*raw).first(raw->size() - 2);
    const quint16 crc = quint16(quint8(raw->at(raw->size() - 2)) | (quint8(raw->at(raw->size() - 1)) << 8));
    if (crc16(body) != crc)
        return unexpected(QStringLiteral("the nkey seed's checksum is wrong (a typo, or a cut copy?)"));
    const quint8 first = quint8(body[0]);
    const quint8 second = quint8(body[1]);
    const quint8 role = quint8(((first & 7) << 5) | ((second & 248) >> 3));
    // The second byte's last three bits are not the role's: 0 as seed() writes them, or the same
    // key would have eight spellings.
    if ((first & 248) != kSeedPrefix || !isRole(role) || (second & 7) != 0)
        return unexpected(QStringLiteral("not an nkey seed of an operator, account or user"));
    const QByteArray seed = body.sliced(2).toByteArray();
    QByteArray publicKey = publicKeyOf(Role(role), seed);
    if (publicKey.isEmpty())
        return unexpected(
            QStringLiteral("OpenSSL made no Ed25519 key of the seed (%1)").arg(OpenSSL_version(OPENSSL_VERSION)));
    return NatsNkey(Role(role), seed, std::move(publicKey));
}

NatsNkey NatsNkey::fromRawSeed(Role role, QByteArrayView seed)
{
    Q_ASSERT(seed.size() == kSeedBytes);
    return NatsNkey(role, seed.toByteArray(), publicKeyOf(role, seed.toByteArray()));
}

QByteArray NatsNkey::seed() const
{
    QByteArray raw;
    raw += char(kSeedPrefix | (quint8(m_role) >> 5));
    raw += char((quint8(m_role) & 31) << 3);
    raw += m_rawSeed;
    return encode(std::move(raw));
}

QByteArray NatsNkey::sign(QByteArrayView message) const
{
    const Pkey key = privateKey(m_rawSeed);
    const std::unique_ptr<EVP_MD_CTX, MdContextDeleter> context(EVP_MD_CTX_new());
    QByteArray signature(kSignatureBytes, Qt::Uninitialized);
    size_t size = size_t(signature.size());
    if (!key || !context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1
        || EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &size,
                          reinterpret_cast<const unsigned char *>(message.data()), size_t(message.size()))
               != 1
        || size != size_t(kSignatureBytes))
        return {};
    return signature;
}

}   // namespace Clickscope
