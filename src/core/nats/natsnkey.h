// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Clickscope {

// An nkey: the Ed25519 key pair NATS identifies operators, accounts and users with, written the
// way NATS writes it (base32 without padding, a role byte first, a CRC-16 last). The seed ("SU…"
// for a user) is the secret; the public key ("U…") is what a server knows a user by, and a user
// proves it holds the seed by signing the nonce the server sends.
class NatsNkey
{
public:
    // The first byte of an encoded key, which its first letter shows.
    enum class Role : quint8 { Account = 0, Operator = 14 << 3, User = 20 << 3 };
    static constexpr qsizetype kSeedBytes = 32;
    static constexpr qsizetype kSignatureBytes = 64;

    // A seed as written ("SUAM…"), surrounding white space allowed.
    static Result<NatsNkey> fromSeed(QByteArrayView text);
    // The key pair grown from 32 secret bytes.
    static NatsNkey fromRawSeed(Role role, QByteArrayView seed);

    Role role() const { return m_role; }
    QByteArray seed() const;                               // as written: "S" + the role's letter + …
    QByteArray publicKey() const { return m_publicKey; }   // as written: the role's letter + …
    QByteArray sign(QByteArrayView message) const;         // Ed25519, kSignatureBytes

private:
    NatsNkey(Role role, QByteArray seed, QByteArray publicKey)
        : m_role(role)
        , m_rawSeed(std::move(seed))
        , m_publicKey(std::move(publicKey))
    {}

    Role m_role;
    QByteArray m_rawSeed;   // kSeedBytes
    QByteArray m_publicKey;
};

}   // namespace Clickscope
