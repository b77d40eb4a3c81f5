// SPDX-License-Identifier: MIT
#pragma once

#include "core/nats/natsnkey.h"
#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace Clickscope {

// Who a NATS client says it is when a password or token is not how its server knows users: an
// nkey seed alone (the server lists the user's public key), or a credentials file (the user's
// JWT, which its account signed, and the user's seed). Either way the client signs the nonce the
// server sent, which proves it holds the seed without sending it.
struct NatsCredentials
{
    // A credentials or seed file is a few hundred bytes: a bigger one is not one.
    static constexpr qint64 kMaxFileBytes = 64 * 1024;

    QByteArray jwt;   // empty with a seed alone
    NatsNkey key;

    // The file `nsc` and `nats` write: a "BEGIN NATS USER JWT" block, then a "BEGIN USER NKEY
    // SEED" block.
    static Result<NatsCredentials> fromCredsFile(const QString &path);
    // A file holding a user's seed ("SU…").
    static Result<NatsCredentials> fromSeedFile(const QString &path);
    // The same, from what such a file holds.
    static Result<NatsCredentials> fromCredsText(QByteArrayView text);
    static Result<NatsCredentials> fromSeedText(QByteArrayView text);

    // Adds to the fields of a CONNECT who we are and, when the server sent a nonce, its signature.
    void addTo(QJsonObject &hello, QByteArrayView nonce) const;
};

}   // namespace Clickscope
