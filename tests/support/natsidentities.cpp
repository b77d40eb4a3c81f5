// SPDX-License-Identifier: MIT
#include "support/natsidentities.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>

#include <array>

namespace Clickscope::Testing {
namespace {

NatsNkey freshKey(NatsNkey::Role role)
{
    std::array<quint32, NatsNkey::kSeedBytes / 4> seed{};
    QRandomGenerator::global()->fillRange(seed.data(), seed.size());
    return NatsNkey::fromRawSeed(role,
                                 QByteArrayView(reinterpret_cast<const char *>(seed.data()), NatsNkey::kSeedBytes));
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// An account or user may do anything: no limit is the -1 of every field.
constexpr char kAccountClaims[] =
    R"({"limits":{"subs":-1,"data":-1,"payload":-1,"imports":-1,"exports":-1,"wildcards":true,"conn":-1,)"
    R"("leaf":-1,"mem_storage":-1,"disk_storage":-1,"streams":-1,"consumer":-1},)"
    R"("default_permissions":{"pub":{},"sub":{}},"type":"account","version":2})";
constexpr char kUserClaims[] = R"({"pub":{},"sub":{},"subs":-1,"data":-1,"payload":-1,"type":"user","version":2})";
constexpr char kSystemAccountClaims[] = R"({"type":"account","version":2})";
constexpr char kOperatorClaims[] = R"({"type":"operator","version":2})";

}   // namespace

QByteArray NatsIdentities::jwt(const NatsNkey &issuer, const QByteArray &subject, const QByteArray &natsClaims)
{
    const QByteArray header = base64Url(R"({"typ":"JWT","alg":"ed25519-nkey"})");
    const QByteArray claims = R"({"jti":")" + QByteArray::number(QRandomGenerator::global()->generate64(), 16)
                              + R"(","iat":)" + QByteArray::number(QDateTime::currentSecsSinceEpoch()) + R"(,"iss":")"
                              + issuer.publicKey() + R"(","name":"test","sub":")" + subject + R"(","nats":)"
                              + natsClaims + '}';
    const QByteArray signedPart = header + '.' + base64Url(claims);
    return signedPart + '.' + base64Url(issuer.sign(signedPart));
}

QByteArray NatsIdentities::credsText(const QByteArray &userJwt, const NatsNkey &user)
{
    return "-----BEGIN NATS USER JWT-----\n" + userJwt
           + "\n------END NATS USER JWT------\n\n"
             "************************* IMPORTANT *************************\n"
             "NKEY Seed printed below can be used to sign and prove identity.\n\n"
             "-----BEGIN USER NKEY SEED-----\n"
           + user.seed() + "\n------END USER NKEY SEED------\n";
}

QString NatsIdentities::write(const QString &name, const QByteArray &content)
{
    QFile file(m_dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        m_error = QStringLiteral("cannot write %1").arg(file.fileName());
    return file.fileName();
}

NatsIdentities::NatsIdentities()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder");
        return;
    }
    const NatsNkey user = freshKey(NatsNkey::Role::User);
    m_seedFile = write(QStringLiteral("user.nk"), user.seed() + '\n');
    m_strangerSeedFile = write(QStringLiteral("stranger.nk"), freshKey(NatsNkey::Role::User).seed() + '\n');
    m_nkeyConfig =
        write(QStringLiteral("nkey.conf"), "authorization { users = [ { nkey: \"" + user.publicKey() + "\" } ] }\n");

    const NatsNkey op = freshKey(NatsNkey::Role::Operator);
    const NatsNkey account = freshKey(NatsNkey::Role::Account);
    const NatsNkey jwtUser = freshKey(NatsNkey::Role::User);
    // JetStream needs the system account to be one the operator signed too.
    const NatsNkey system = freshKey(NatsNkey::Role::Account);
    m_operatorConfig =
        write(QStringLiteral("operator.conf"),
              "operator: \"" + jwt(op, op.publicKey(), kOperatorClaims) + "\"\nsystem_account: " + system.publicKey()
                  + "\nresolver: MEMORY\nresolver_preload: {\n  " + account.publicKey() + ": \""
                  + jwt(op, account.publicKey(), kAccountClaims) + "\"\n  " + system.publicKey() + ": \""
                  + jwt(op, system.publicKey(), kSystemAccountClaims) + "\"\n}\n");
    m_credsFile =
        write(QStringLiteral("user.creds"), credsText(jwt(account, jwtUser.publicKey(), kUserClaims), jwtUser));
    const NatsNkey otherAccount = freshKey(NatsNkey::Role::Account);
    m_forgedCredsFile =
        write(QStringLiteral("forged.creds"), credsText(jwt(otherAccount, jwtUser.publicKey(), kUserClaims), jwtUser));
}

QString NatsIdentities::nkeyServerConfig() const { return m_nkeyConfig; }
QString NatsIdentities::operatorServerConfig() const { return m_operatorConfig; }
QString NatsIdentities::seedFile() const { return m_seedFile; }
QString NatsIdentities::strangerSeedFile() const { return m_strangerSeedFile; }
QString NatsIdentities::credsFile() const { return m_credsFile; }
QString NatsIdentities::forgedCredsFile() const { return m_forgedCredsFile; }

}   // namespace Clickscope::Testing
