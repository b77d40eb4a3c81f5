// SPDX-License-Identifier: MIT
#pragma once

#include "core/nats/natsnkey.h"

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

namespace Clickscope::Testing {

// NATS identities for one test, from fresh random seeds, and the nats-server configuration that
// knows them, written to a temporary folder:
//   - an nkey user (nats-server knows its public key; the client holds its seed file);
//   - decentralised auth: an operator, an account it signed and a user the account signed, the
//     user's credentials file (JWT and seed) for the client.
class NatsIdentities
{
public:
    NatsIdentities();

    // A configuration file for nats-server (-c FILE) that lets in the nkey user alone.
    QString nkeyServerConfig() const;
    // One that trusts the operator, knowing the account in memory.
    QString operatorServerConfig() const;
    // The nkey user's seed file, and one of a user nobody let in.
    QString seedFile() const;
    QString strangerSeedFile() const;
    // The user's credentials file (its JWT, which the account signed, and its seed).
    QString credsFile() const;
    // A credentials file whose JWT an account nobody trusts signed.
    QString forgedCredsFile() const;

    QString errorString() const { return m_error; }
    bool isValid() const { return m_error.isEmpty(); }

private:
    QString write(const QString &name, const QByteArray &content);
    // A JWT with these claims' "nats" part, issued by `issuer` about `subject`.
    static QByteArray jwt(const NatsNkey &issuer, const QByteArray &subject, const QByteArray &natsClaims);
    static QByteArray credsText(const QByteArray &userJwt, const NatsNkey &user);

    QTemporaryDir m_dir;
    QString m_error;
    QString m_nkeyConfig;
    QString m_operatorConfig;
    QString m_seedFile;
    QString m_strangerSeedFile;
    QString m_credsFile;
    QString m_forgedCredsFile;
};

}   // namespace Clickscope::Testing
