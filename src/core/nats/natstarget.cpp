// SPDX-License-Identifier: MIT
#include "core/nats/natstarget.h"

#include "core/nats/natsreader.h"
#include "core/source/sourceconfig.h"
#include "core/system/smallfile.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QUrlQuery>

#include <algorithm>
#include <limits>

namespace Clickscope {
namespace {

// Bytes a NATS name never holds: they separate the fields of a control line.
bool isSeparator(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0'; }

// A PEM file of certificates or a key is a few kilobytes; a chain of many, some hundreds.
constexpr qint64 kMaxPemBytes = 1024 * 1024;

Result<QList<QSslCertificate>> readCertificates(const QString &path)
{
    const Result<QByteArray> pem = readSmallFile(path, kMaxPemBytes);
    if (!pem)
        return unexpected(pem.error());
    QList<QSslCertificate> certificates = QSslCertificate::fromData(*pem, QSsl::Pem);
    if (certificates.isEmpty())
        return unexpected(QStringLiteral("'%1' holds no certificate in PEM").arg(path));
    return certificates;
}

Result<QSslKey> readPrivateKey(const QString &path)
{
    const Result<QByteArray> pem = readSmallFile(path, kMaxPemBytes);
    if (!pem)
        return unexpected(pem.error());
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        QSslKey key(*pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return unexpected(QStringLiteral("'%1' holds no unencrypted private key in PEM").arg(path));
}

// Reads a query item that says how to connect into `target`; false when `key` is none.
Result<bool> readConnectionItem(NatsTarget &target, const QString &key, const QString &value)
{
    QString *file = nullptr;
    if (key == u"creds")
        file = &target.credsFile;
    else if (key == u"nkey")
        file = &target.nkeyFile;
    else if (key == u"tls_ca")
        file = &target.tlsCaFile;
    else if (key == u"tls_cert")
        file = &target.tlsCertFile;
    else if (key == u"tls_key")
        file = &target.tlsKeyFile;
    if (file) {
        if (!file->isEmpty())
            return unexpected(QStringLiteral("%1= is given twice").arg(key));
        if (value.isEmpty())
            return unexpected(QStringLiteral("%1= names no file").arg(key));
        *file = value;
        return true;
    }
    if (key != u"tls")
        return false;
    if (value != u"required")
        return unexpected(QStringLiteral("tls=%1: the only value is tls=required").arg(value));
    target.tlsAsked = true;
    return true;
}

}   // namespace

bool NatsTarget::isValidSubject(QByteArrayView subject, bool wildcards)
{
    if (subject.isEmpty() || subject.size() > kMaxSubjectBytes)
        return false;
    qsizetype tokenStart = 0;
    for (qsizetype i = 0; i <= subject.size(); ++i) {
        if (i < subject.size() && subject[i] != '.') {
            if (isSeparator(subject[i]))
                return false;
            continue;
        }
        const QByteArrayView token = subject.sliced(tokenStart, i - tokenStart);
        if (token.isEmpty())
            return false;
        const bool last = i == subject.size();
        if (token.contains('*') && token != "*")
            return false;
        if (token.contains('>') && (token != ">" || !last))
            return false;
        if (!wildcards && (token == "*" || token == ">"))
            return false;
        tokenStart = i + 1;
    }
    return true;
}

bool NatsTarget::isValidStreamName(QByteArrayView name)
{
    // Fewer characters than JetStream takes: a name goes into URLs and subjects unescaped.
    return !name.isEmpty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

quint64 NatsTarget::sequenceOf(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 19 || text[0] == '0')
        return 0;
    quint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return 0;
        value = value * 10 + quint64(c - '0');
    }
    return value <= quint64(std::numeric_limits<qint64>::max()) ? value : 0;
}

bool NatsTarget::tlsRequired() const { return tlsAsked || !tlsCaFile.isEmpty() || !tlsCertFile.isEmpty(); }

Result<void> NatsTarget::loadFiles()
{
    credentials.reset();
    if (!credsFile.isEmpty() || !nkeyFile.isEmpty()) {
        Result<NatsCredentials> read =
            credsFile.isEmpty() ? NatsCredentials::fromSeedFile(nkeyFile) : NatsCredentials::fromCredsFile(credsFile);
        if (!read)
            return unexpected(QStringLiteral("%1=: %2").arg(credsFile.isEmpty() ? u"nkey" : u"creds", read.error()));
        credentials = std::move(*read);
    }
    tlsAuthorities.clear();
    if (!tlsCaFile.isEmpty()) {
        const Result<QList<QSslCertificate>> authorities = readCertificates(tlsCaFile);
        if (!authorities)
            return unexpected(QStringLiteral("tls_ca=: %1").arg(authorities.error()));
        tlsAuthorities = *authorities;
    }
    tlsCertificateChain.clear();
    tlsKey = {};
    if (!tlsCertFile.isEmpty()) {
        const Result<QList<QSslCertificate>> chain = readCertificates(tlsCertFile);
        if (!chain)
            return unexpected(QStringLiteral("tls_cert=: %1").arg(chain.error()));
        const Result<QSslKey> privateKey = readPrivateKey(tlsKeyFile);
        if (!privateKey)
            return unexpected(QStringLiteral("tls_key=: %1").arg(privateKey.error()));
        tlsCertificateChain = *chain;
        tlsKey = *privateKey;
    }
    return {};
}

Result<bool> NatsTarget::usesTls(const QJsonObject &info) const
{
    const bool serverRequires = info.value(u"tls_required").toBool();
    if (!serverRequires && !tlsRequired())
        return false;
    if (!serverRequires && !info.value(u"tls_available").toBool())
        return unexpected(QStringLiteral("the NATS server offers no TLS, and the URL asks for it"));
    if (!QSslSocket::supportsSsl())
        return unexpected(QStringLiteral("the NATS server needs TLS, and Qt found no TLS library (%1)")
                              .arg(QSslSocket::sslLibraryVersionString()));
    return true;
}

void NatsTarget::startTls(QSslSocket &socket) const
{
    socket.setSslConfiguration(tlsConfiguration());
    socket.setPeerVerifyName(host);
    socket.startClientEncryption();
}

QSslConfiguration NatsTarget::tlsConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    if (!tlsAuthorities.isEmpty())
        configuration.setCaCertificates(tlsAuthorities);
    if (!tlsCertificateChain.isEmpty()) {
        configuration.setLocalCertificateChain(tlsCertificateChain);
        configuration.setPrivateKey(tlsKey);
    }
    return configuration;
}

QByteArray NatsTarget::helloCommand(const QJsonObject &info, bool tls) const
{
    QJsonObject hello{{QStringLiteral("verbose"), false},
                      {QStringLiteral("pedantic"), false},
                      {QStringLiteral("tls_required"), tls},
                      {QStringLiteral("name"), QStringLiteral("clickscope")},
                      {QStringLiteral("lang"), QStringLiteral("cpp")},
                      {QStringLiteral("version"), QStringLiteral("1")},
                      {QStringLiteral("protocol"), 1},
                      {QStringLiteral("headers"), true},
                      {QStringLiteral("no_responders"), true}};
    if (!token.isEmpty())
        hello.insert(QStringLiteral("auth_token"), QString::fromUtf8(token));
    if (!user.isEmpty()) {
        hello.insert(QStringLiteral("user"), QString::fromUtf8(user));
        hello.insert(QStringLiteral("pass"), QString::fromUtf8(password));
    }
    if (credentials)
        credentials->addTo(hello, info.value(u"nonce").toString().toUtf8());
    return NatsCommand::connect(QJsonDocument(hello).toJson(QJsonDocument::Compact));
}

Result<NatsTarget> NatsTarget::fromUrl(const QUrl &url)
{
    const QString shown = shownUrl(url);
    Result<BusServer> server = busServerOf(url, u"nats", kDefaultPort);
    if (!server)
        return unexpected(server.error());
    NatsTarget target;
    target.host = server->host;
    target.port = server->port;
    target.user = server->user;
    target.password = server->password;
    if (target.password.isEmpty() && !target.user.isEmpty())
        target.token = std::exchange(target.user, {});   // nats://token@host, as NATS clients read it

    const QByteArray subject = url.path(QUrl::FullyDecoded).mid(1).toUtf8();
    if (subject.isEmpty())
        return unexpected(QStringLiteral("'%1' names no subject: a NATS URL is nats://HOST:PORT/SUBJECT, e.g. "
                                         "nats://localhost:4222/clicks.>")
                              .arg(shown));
    if (!isValidSubject(subject, true))
        return unexpected(QStringLiteral("'%1': '%2' is not a NATS subject (tokens separated by dots, * for one "
                                         "token, > for the rest, no spaces, at most %3 bytes)")
                              .arg(shown, QString::fromUtf8(subject))
                              .arg(kMaxSubjectBytes));
    target.subject = subject;

    bool startGiven = false;
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        if (key == u"stream") {
            target.stream = value.toUtf8();
            if (!isValidStreamName(target.stream))
                return unexpected(QStringLiteral("'%1': '%2' is not a JetStream stream name").arg(shown, value));
        } else if (key == u"start") {
            startGiven = true;
            if (value == u"new") {
                target.start = Start::New;
            } else if (value == u"first") {
                target.start = Start::First;
            } else if (value.startsWith(u"seq:")) {
                target.start = Start::Sequence;
                target.startSequence = sequenceOf(value.mid(4).toUtf8());
                if (target.startSequence == 0)
                    return unexpected(
                        QStringLiteral("'%1': start=%2 needs a sequence from 1 to 2^63-1").arg(shown, value));
            } else if (value.startsWith(u"time:")) {
                target.start = Start::Time;
                target.startTime = QDateTime::fromString(value.mid(5), Qt::ISODateWithMs);
                if (!target.startTime.isValid())
                    return unexpected(
                        QStringLiteral("'%1': start=%2 is not a time like 2026-12-01T10:00:00Z").arg(shown, value));
                target.startTime = target.startTime.toUTC();
            } else {
                return unexpected(
                    QStringLiteral("'%1': start=%2 is not new, first, seq:N or time:ISO8601").arg(shown, value));
            }
        } else {
            const Result<bool> read = readConnectionItem(target, key, value);
            if (!read)
                return unexpected(QStringLiteral("'%1': %2").arg(shown, read.error()));
            if (!*read)
                return unexpected(QStringLiteral("'%1': unknown query item '%2' (a NATS URL takes stream=, start=, "
                                                 "creds=, nkey=, tls=required, tls_ca=, tls_cert= and tls_key=)")
                                      .arg(shown, key));
        }
    }
    if (!target.credsFile.isEmpty() && !target.nkeyFile.isEmpty())
        return unexpected(QStringLiteral("'%1': creds= and nkey= both say who we are: give one").arg(shown));
    if (target.tlsCertFile.isEmpty() != target.tlsKeyFile.isEmpty())
        return unexpected(
            QStringLiteral("'%1': tls_cert= and tls_key= go together: our certificate and its key").arg(shown));
    if (startGiven && !target.isJetStream())
        return unexpected(
            QStringLiteral("'%1': start= needs stream=NAME (core NATS keeps nothing to start from)").arg(shown));
    return target;
}

QUrl NatsTarget::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("nats"));
    url.setHost(host);
    url.setPort(port);
    url.setUserName(QString::fromUtf8(user.isEmpty() ? token : user), QUrl::DecodedMode);
    url.setPassword(QString::fromUtf8(password), QUrl::DecodedMode);
    url.setPath(u'/' + QString::fromUtf8(subject), QUrl::DecodedMode);
    QUrlQuery query;
    if (isJetStream()) {
        query.addQueryItem(QStringLiteral("stream"), QString::fromUtf8(stream));
        switch (start) {
        case Start::New:
            query.addQueryItem(QStringLiteral("start"), QStringLiteral("new"));
            break;
        case Start::First:
            query.addQueryItem(QStringLiteral("start"), QStringLiteral("first"));
            break;
        case Start::Sequence:
            query.addQueryItem(QStringLiteral("start"), QStringLiteral("seq:%1").arg(startSequence));
            break;
        case Start::Time:
            query.addQueryItem(QStringLiteral("start"),
                               QStringLiteral("time:") + startTime.toString(Qt::ISODateWithMs));
            break;
        }
    }
    const auto addFile = [&query](const QString &key, const QString &file) {
        if (!file.isEmpty())
            query.addQueryItem(key, QString::fromUtf8(QUrl::toPercentEncoding(file, "/")));
    };
    addFile(QStringLiteral("creds"), credsFile);
    addFile(QStringLiteral("nkey"), nkeyFile);
    if (tlsAsked)
        query.addQueryItem(QStringLiteral("tls"), QStringLiteral("required"));
    addFile(QStringLiteral("tls_ca"), tlsCaFile);
    addFile(QStringLiteral("tls_cert"), tlsCertFile);
    addFile(QStringLiteral("tls_key"), tlsKeyFile);
    url.setQuery(query);
    return url;
}

}   // namespace Clickscope
