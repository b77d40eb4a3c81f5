// SPDX-License-Identifier: MIT
#include "core/nats/natscredentials.h"

#include "core/system/smallfile.h"

#include <QList>

namespace Clickscope {
namespace {

template<typename Parse>
Result<NatsCredentials> fromFile(const QString &path, Parse parse)
{
    const Result<QByteArray> bytes = readSmallFile(path, NatsCredentials::kMaxFileBytes);
    if (!bytes)
        return unexpected(bytes.error());
    Result<NatsCredentials> credentials = parse(*bytes);
    if (!credentials)
        return unexpected(QStringLiteral("'%1': %2").arg(path, credentials.error()));
    return credentials;
}

// The line after each "-----BEGIN …-----" line.
QList<QByteArrayView> blocks(QByteArrayView text)
{
    QList<QByteArrayView> found;
    bool inBlock = false;
    while (!text.isEmpty()) {
        const qsizetype end = text.indexOf('\n');
        const QByteArrayView line = (end < 0 ? text : text.first(end)).trimmed();
        text = end < 0 ? QByteArrayView() : text.sliced(end + 1);
        if (line.startsWith("---") && line.contains("BEGIN")) {
            inBlock = true;
        } else if (inBlock && !line.isEmpty()) {
            found.append(line);
            inBlock = false;
        }
    }
    return found;
}

bool isJwtText(QByteArrayView jwt)
{
    // Three base64url parts, and nothing that would break the JSON or the line it travels in.
    qsizetype dots = 0;
    for (char c : jwt) {
        if (c == '.')
            ++dots;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                   || c == '='))
            return false;
    }
    return dots == 2;
}

}   // namespace

Result<NatsCredentials> NatsCredentials::fromCredsText(QByteArrayView text)
{
    const QList<QByteArrayView> found = blocks(text);
    if (found.size() < 2)
        return unexpected(QStringLiteral("not a NATS credentials file (a BEGIN NATS USER JWT block, then a BEGIN "
                                         "USER NKEY SEED block)"));
    if (!isJwtText(found[0]))
        return unexpected(QStringLiteral("the credentials' first block is not a JWT"));
    Result<NatsNkey> key = NatsNkey::fromSeed(found[1]);
    if (!key)
        return unexpected(QStringLiteral("the credentials' second block is %1").arg(key.error()));
    if (key->role() != NatsNkey::Role::User)
        return unexpected(QStringLiteral("the credentials hold the seed of an operator or account, not of a user"));
    return NatsCredentials{found[0].toByteArray(), std::move(*key)};
}

Result<NatsCredentials> NatsCredentials::fromSeedText(QByteArrayView text)
{
    Result<NatsNkey> key = NatsNkey::fromSeed(text);
    if (!key)
        return unexpected(key.error());
    if (key->role() != NatsNkey::Role::User)
        return unexpected(QStringLiteral("the seed of an operator or account, not of a user"));
    return NatsCredentials{{}, std::move(*key)};
}

Result<NatsCredentials> NatsCredentials::fromCredsFile(const QString &path) { return fromFile(path, fromCredsText); }

Result<NatsCredentials> NatsCredentials::fromSeedFile(const QString &path) { return fromFile(path, fromSeedText); }

void NatsCredentials::addTo(QJsonObject &hello, QByteArrayView nonce) const
{
    if (jwt.isEmpty())
        hello.insert(QStringLiteral("nkey"), QString::fromLatin1(key.publicKey()));
    else
        hello.insert(QStringLiteral("jwt"), QString::fromLatin1(jwt));
    if (!nonce.isEmpty())
        hello.insert(QStringLiteral("sig"), QString::fromLatin1(key.sign(nonce).toBase64(
                                                QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
}

}   // namespace Clickscope
