// SPDX-License-Identifier: MIT
#include "cli/commands.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cstdio>
#include <memory>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "publish";
// Each request stays well under the publisher's 1 MiB body limit and is all-or-nothing on its own.
constexpr qsizetype kBatchLines = 1000;
constexpr qsizetype kBatchBytes = 512 * 1024;

struct PostResult
{
    int status = 0;
    QByteArray body;
    QString networkError;
};

PostResult post(QNetworkAccessManager &nam, const QUrl &url, const QByteArray &token, const QByteArray &body)
{
    QNetworkRequest request(url);
    request.setRawHeader("Content-Type", "application/x-ndjson");
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    std::unique_ptr<QNetworkReply> reply(nam.post(request, body));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    PostResult result{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(), {}};
    if (result.status == 0)
        result.networkError = reply->errorString();
    return result;
}

}   // namespace

int runPublish(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Posts clicks (NDJSON, one JSON object per line) to a publisher and reports what it accepted.\n"
                       "URL is the publisher's base URL or its /publish endpoint. Exit codes: 0 all accepted,\n"
                       "1 something was rejected or the publisher could not be reached, 2 usage error."));
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("e.g. http://127.0.0.1:8080"));
    const QCommandLineOption token(QStringLiteral("token"), QStringLiteral("Sends 'Authorization: Bearer T'."),
                                   QStringLiteral("T"));
    const QCommandLineOption file(QStringLiteral("file"), QStringLiteral("Reads clicks from F ('-' or absent: stdin)."),
                                  QStringLiteral("F"), QStringLiteral("-"));
    const QCommandLineOption channel(QStringLiteral("channel"), QStringLiteral("Publishes to this channel."),
                                     QStringLiteral("C"));
    parser.addOptions({token, file, channel});
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("publish [options] URL")))
        return *code;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(kCommand, positional.isEmpty()
                                        ? QStringLiteral("missing URL")
                                        : QStringLiteral("unexpected argument '%1'").arg(positional.at(1)));
    QUrl url(positional.first(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())
        return usageError(kCommand, QStringLiteral("'%1' is not an http(s) URL").arg(positional.first()));
    if (!url.path().endsWith(u"/publish"))
        url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + QStringLiteral("/publish"));
    if (parser.isSet(channel))
        url.setQuery(QStringLiteral("channel=") + QString::fromUtf8(QUrl::toPercentEncoding(parser.value(channel))));

    QFile input;
    const QString path = parser.value(file);
    const bool opened = path == u"-" ? input.open(stdin, QIODevice::ReadOnly)
                                     : (input.setFileName(path), input.open(QIODevice::ReadOnly));
    if (!opened)
        return usageError(kCommand, QStringLiteral("cannot read '%1': %2").arg(path, input.errorString()));

    QNetworkAccessManager nam;
    qint64 accepted = 0;
    qint64 rejected = 0;
    qint64 lineNumber = 0;
    bool failed = false;
    QByteArray batch;
    qsizetype batchLines = 0;
    qint64 batchFirstLine = 1;
    const auto flush = [&]() -> bool {
        if (batchLines == 0)
            return true;
        const PostResult r = post(nam, url, parser.value(token).toUtf8(), batch);
        const QJsonObject reply = QJsonDocument::fromJson(r.body).object();
        if (r.status == 202) {
            accepted += reply.value(QStringLiteral("accepted")).toInteger(batchLines);
        } else if (r.status == 0) {
            std::fprintf(stderr, "error: %s\n", qPrintable(r.networkError));
            return false;
        } else {
            rejected += batchLines;
            failed = true;
            const qint64 index = reply.value(QStringLiteral("index")).toInteger(-1);
            std::fprintf(stderr, "rejected lines %lld-%lld (HTTP %d): %s%s\n", static_cast<long long>(batchFirstLine),
                         static_cast<long long>(batchFirstLine + batchLines - 1), r.status,
                         qPrintable(reply.value(QStringLiteral("error")).toString(QString::fromUtf8(r.body).trimmed())),
                         index >= 0 ? qPrintable(QStringLiteral(" (line %1)").arg(batchFirstLine + index)) : "");
            if (r.status == 401 || r.status == 404 || r.status == 405)
                return false;   // every further batch would get the same answer
        }
        batch.clear();
        batchLines = 0;
        batchFirstLine = lineNumber + 1;
        return true;
    };
    bool reachable = true;
    while (reachable && !input.atEnd()) {
        const QByteArray line = input.readLine(kBatchBytes);
        ++lineNumber;
        if (line.trimmed().isEmpty()) {
            if (batchLines == 0)
                batchFirstLine = lineNumber + 1;
            continue;
        }
        batch += line.endsWith('\n') ? line : line + '\n';
        if (++batchLines >= kBatchLines || batch.size() >= kBatchBytes)
            reachable = flush();
    }
    if (reachable)
        reachable = flush();
    std::printf("accepted %lld, rejected %lld\n", static_cast<long long>(accepted), static_cast<long long>(rejected));
    return reachable && !failed ? kExitOk : kExitStreamError;
}

}   // namespace Clickscope::Cli
