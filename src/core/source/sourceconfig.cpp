// SPDX-License-Identifier: MIT
#include "core/source/sourceconfig.h"

#include "core/http/httpsyntax.h"
#include "core/nats/natstarget.h"
#include "core/redis/redistarget.h"

#include <QStringList>
#include <QUrlQuery>

#include <algorithm>

namespace Clickscope {
namespace {

bool isHeaderNameChar(QChar c)
{
    // RFC 9110 token characters.
    static const QString kSpecials = QStringLiteral("!#$%&'*+-.^_`|~");
    return (c.unicode() < 128 && c.isLetterOrNumber()) || kSpecials.contains(c);
}

// The schemes some source reads: http(s) for Server-Sent Events, ws(s) for WebSocket, redis for
// Redis pub/sub and streams, nats for NATS subjects and JetStream streams.
const QStringList &streamSchemes()
{
    static const QStringList kSchemes{QStringLiteral("http"), QStringLiteral("https"), QStringLiteral("ws"),
                                      QStringLiteral("wss"),  QStringLiteral("redis"), QStringLiteral("nats")};
    return kSchemes;
}

// "use http, https, … or nats", for messages about a scheme none of them is.
QString useOneOfTheSchemes()
{
    const QStringList &all = streamSchemes();
    return QStringLiteral("use %1 or %2")
        .arg(all.sliced(0, all.size() - 1).join(QStringLiteral(", ")), all.constLast());
}

// Levenshtein distance, for "did you mean": the strings here are a few letters long.
qsizetype editDistance(const QString &a, const QString &b)
{
    QList<qsizetype> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (qsizetype i = 1; i <= a.size(); ++i) {
        qsizetype diagonal = row[0];
        row[0] = i;
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const qsizetype above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}   // namespace

bool hasHeader(const QList<HttpHeader> &headers, QByteArrayView name)
{
    return std::any_of(headers.cbegin(), headers.cend(),
                       [&](const HttpHeader &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
}

bool isCredentialHeader(QByteArrayView name)
{
    return name.compare("Authorization", Qt::CaseInsensitive) == 0 || name.compare("Cookie", Qt::CaseInsensitive) == 0
           || name.compare("Proxy-Authorization", Qt::CaseInsensitive) == 0;
}

namespace {

// What is wrong with an invalid URL, without the URL itself: Qt's message quotes it whole,
// password and all.
QString urlProblem(const QUrl &url)
{
    const QString message = url.errorString();
    const qsizetype quote = message.indexOf(QLatin1String("; source was"));
    return quote < 0 ? message : message.left(quote);
}

bool nameSaysSecret(QByteArrayView name)
{
    const QByteArray lower = name.toByteArray().toLower();
    for (const char *word :
         {"key", "token", "secret", "pass", "pwd", "session", "auth", "signature", "jwt", "credential"}) {
        if (lower.contains(word))
            return true;
    }
    return lower == "sig";
}

}   // namespace

bool isSecretHeader(QByteArrayView name) { return isCredentialHeader(name) || nameSaysSecret(name); }

QUrl urlWithoutSecrets(const QUrl &url, QStringList *removed)
{
    QUrl clean = url;
    if (!url.password().isEmpty()) {
        clean.setPassword({});
        if (removed)
            removed->append(QStringLiteral("password"));
    }
    if (url.hasQuery()) {
        QUrlQuery query(url);
        const auto items = query.queryItems(QUrl::FullyEncoded);
        QUrlQuery kept;
        qsizetype dropped = 0;
        for (const auto &[name, value] : items) {
            const QString decoded = QUrl::fromPercentEncoding(name.toUtf8());
            if (nameSaysSecret(decoded.toUtf8())) {
                ++dropped;
                if (removed)
                    removed->append(decoded);
                continue;
            }
            kept.addQueryItem(name, value);
        }
        if (dropped > 0)   // a null query removes the '?' too
            clean.setQuery(kept.isEmpty() ? QString() : kept.query(QUrl::FullyEncoded), QUrl::StrictMode);
    }
    return clean;
}

QString shownUrl(const QUrl &url) { return streamUrlText(urlWithoutSecrets(url).adjusted(QUrl::RemoveUserInfo)); }

QString maskUrls(QString text, const QList<QUrl> &urls)
{
    for (const QUrl &url : urls) {
        const QString shown = shownUrl(url);
        for (const QString &spelling : {url.toString(), url.toString(QUrl::FullyEncoded), url.toDisplayString()}) {
            if (!spelling.isEmpty() && spelling != shown)
                text.replace(spelling, shown);
        }
    }
    return text;
}

Result<HttpHeader> parseHeaderLine(const QString &line)
{
    const qsizetype colon = line.indexOf(u':');
    const QString name = colon < 0 ? QString() : line.left(colon).trimmed();
    if (name.isEmpty() || !std::all_of(name.cbegin(), name.cend(), isHeaderNameChar))
        return unexpected(QStringLiteral("'%1' is not a header; expected 'Name: value'").arg(line));
    const QString value = line.mid(colon + 1).trimmed();
    if (value.contains(u'\r') || value.contains(u'\n'))
        return unexpected(QStringLiteral("header '%1' contains a line break").arg(name));
    QByteArray bytes = value.toUtf8();
    if (!HttpSyntax::isFieldValue(bytes))
        return unexpected(QStringLiteral("header '%1' contains a control character").arg(name));
    return HttpHeader{name.toLatin1(), std::move(bytes)};
}

bool sameServer(const QUrl &a, const QUrl &b)
{
    const auto port = [](const QUrl &url) {
        const QString scheme = url.scheme().toLower();
        return url.port(scheme == u"https" || scheme == u"wss" ? 443 : 80);
    };
    return a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && port(a) == port(b);
}

Result<BusServer> busServerOf(const QUrl &url, QStringView scheme, int defaultPort)
{
    const QString shown = shownUrl(url);
    if (url.scheme().compare(scheme, Qt::CaseInsensitive) != 0)
        return unexpected(QStringLiteral("'%1' is not a %2:// URL").arg(shown, scheme));
    if (url.host().isEmpty())
        return unexpected(QStringLiteral("'%1' has no host").arg(shown));
    const int port = url.port(defaultPort);
    if (port < 1 || port > 65535)
        return unexpected(QStringLiteral("'%1' has no valid port").arg(shown));
    return BusServer{url.host(), quint16(port), url.userName(QUrl::FullyDecoded).toUtf8(),
                     url.password(QUrl::FullyDecoded).toUtf8()};
}

QUrl streamUrlFromText(const QString &text)
{
    if (text.trimmed().startsWith(u"nats://", Qt::CaseInsensitive))
        return QUrl(QString(text).replace(u'>', QStringLiteral("%3E")), QUrl::StrictMode);
    return QUrl(text, QUrl::StrictMode);
}

QString streamUrlText(const QUrl &url)
{
    QString text = url.toString();
    if (url.scheme().compare(u"nats", Qt::CaseInsensitive) == 0)
        text.replace(QStringLiteral("%3E"), QStringLiteral(">"), Qt::CaseInsensitive);
    return text;
}

Result<void> checkStreamUrl(const QUrl &url)
{
    if (url.isEmpty())
        return unexpected(QStringLiteral("no URL given"));
    if (url.isLocalFile())
        return url.toLocalFile().isEmpty() ? Result<void>(unexpected(QStringLiteral("no recording file given")))
                                           : Result<void>{};
    if (!url.isValid())
        return unexpected(QStringLiteral("not a valid URL: %1").arg(urlProblem(url)));
    const QString scheme = url.scheme().toLower();
    if (scheme.isEmpty())
        return unexpected(QStringLiteral("'%1' has no scheme; try http://%1").arg(shownUrl(url)));
    if (!streamSchemes().contains(scheme))
        return unexpected(
            QStringLiteral("unsupported scheme '%1' in '%2' (%3)").arg(scheme, shownUrl(url), useOneOfTheSchemes()));
    if (url.host().isEmpty())
        return unexpected(QStringLiteral("'%1' has no host").arg(shownUrl(url)));
    if (scheme == u"redis") {
        if (Result<RedisTarget> target = RedisTarget::fromUrl(url); !target)
            return unexpected(target.error());
    }
    if (scheme == u"nats") {
        if (Result<NatsTarget> target = NatsTarget::fromUrl(url); !target)
            return unexpected(target.error());
    }
    return {};
}

namespace {

// The first problem of a typed URL; an empty message when there is none.
UrlProblem findUrlProblem(const QString &typed)
{
    const QString text = typed.trimmed();
    const qsizetype offset = typed.indexOf(text.isEmpty() ? QString() : text.left(1));
    const auto at = [offset](QString message, qsizetype start, qsizetype length) {
        return UrlProblem{std::move(message), offset + start, length};
    };
    if (text.isEmpty())
        return at(QStringLiteral("no URL given"), 0, 0);

    const qsizetype colon = text.indexOf(u':');
    const QString scheme = colon > 0 ? text.left(colon) : QString();
    const bool schemeShaped =
        !scheme.isEmpty() && scheme.front().isLetter() && std::all_of(scheme.cbegin(), scheme.cend(), [](QChar c) {
            return c.isLetterOrNumber() || c == u'+' || c == u'-' || c == u'.';
        });
    if (!schemeShaped)   // "127.0.0.1:8080/events"
        return at(QStringLiteral("'%1' has no scheme; try http://%1").arg(text), 0, text.size());
    if (!text.mid(colon + 1).startsWith(u"//")) {
        if (streamSchemes().contains(scheme.toLower()))
            return at(QStringLiteral("'%1:' must be followed by '//' and the host").arg(scheme), colon + 1, 0);
        return at(QStringLiteral("'%1' has no scheme; try http://%1").arg(text), 0, text.size());   // "localhost:8080"
    }

    QStringList problems;
    UrlProblem first;
    const auto note = [&](const QString &message, qsizetype start, qsizetype length) {
        if (problems.isEmpty())
            first = at(QString(), start, length);
        problems << message;
    };
    if (!streamSchemes().contains(scheme.toLower())) {
        QString closest;
        qsizetype best = 2;   // a suggestion one edit away ("htp", "wws"), not further
        for (const QString &known : streamSchemes()) {
            if (const qsizetype d = editDistance(scheme.toLower(), known); d < best) {
                best = d;
                closest = known;
            }
        }
        note(closest.isEmpty() ? QStringLiteral("unknown scheme '%1': %2").arg(scheme, useOneOfTheSchemes())
                               : QStringLiteral("unknown scheme '%1': did you mean %2?").arg(scheme, closest),
             0, scheme.size());
    }

    // The authority: after "//", up to the path, query or fragment; a user name goes before '@'.
    const qsizetype authorityStart = text.indexOf(u"//", colon) + 2;
    qsizetype authorityEnd = authorityStart;
    while (authorityEnd < text.size() && text[authorityEnd] != u'/' && text[authorityEnd] != u'?'
           && text[authorityEnd] != u'#')
        ++authorityEnd;
    const QString authority = text.mid(authorityStart, authorityEnd - authorityStart);
    const qsizetype hostStart = authorityStart + authority.lastIndexOf(u'@') + 1;
    const QString hostAndPort = text.mid(hostStart, authorityEnd - hostStart);
    qsizetype portColon = -1;
    if (hostAndPort.startsWith(u'[')) {
        const qsizetype close = hostAndPort.indexOf(u']');
        if (close < 0)
            note(QStringLiteral("the IPv6 address '%1' has no closing ']'").arg(hostAndPort), hostStart,
                 hostAndPort.size());
        else if (close + 1 < hostAndPort.size() && hostAndPort[close + 1] == u':')
            portColon = close + 1;
    } else {
        portColon = hostAndPort.indexOf(u':');
    }
    const QString host = portColon < 0 ? hostAndPort : hostAndPort.left(portColon);
    if (host.isEmpty())
        note(QStringLiteral("there is no host after '%1://'").arg(scheme), hostStart, 0);
    if (portColon >= 0) {
        const QString port = hostAndPort.mid(portColon + 1);
        const qsizetype portStart = hostStart + portColon + 1;
        const bool digitsOnly = std::all_of(port.cbegin(), port.cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
        bool fits = false;
        const qulonglong value = port.toULongLong(&fits);
        if (!port.isEmpty() && !digitsOnly)
            note(QStringLiteral("the port '%1' is not a number").arg(port), portStart, port.size());
        else if (!port.isEmpty() && (!fits || value == 0 || value > 65535))
            note(QStringLiteral("the port %1 is not between 1 and 65535").arg(port), portStart, port.size());
    }

    if (problems.isEmpty()) {
        const QUrl url = streamUrlFromText(text);
        if (!url.isValid())
            return at(QStringLiteral("not a valid URL: %1").arg(urlProblem(url)), 0, text.size());
        return {};
    }
    first.message = problems.join(QStringLiteral("; "));
    return first;
}

}   // namespace

Result<void, UrlProblem> checkTypedUrl(const QString &text)
{
    if (UrlProblem problem = findUrlProblem(text); !problem.message.isEmpty())
        return unexpected(std::move(problem));
    return {};
}

bool opensSameStream(const SourceConfig &a, const SourceConfig &b)
{
    return a.url.adjusted(QUrl::NormalizePathSegments) == b.url.adjusted(QUrl::NormalizePathSegments)
           && a.method.compare(b.method, Qt::CaseInsensitive) == 0 && a.body == b.body;
}

}   // namespace Clickscope
