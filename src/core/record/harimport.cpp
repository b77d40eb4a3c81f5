// SPDX-License-Identifier: MIT
#include "core/record/harimport.h"

#include "core/record/recordingwriter.h"
#include "core/record/streamrecorder.h"
#include "core/source/httpexchange.h"
#include "core/sse/sseblankline.h"
#include "core/sse/sseencoder.h"
#include "core/system/smallfile.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace Clickscope {
namespace {

enum class StreamKind { None, WebSocket, EventStreamBody, EventSourceMessages };

// A month: longer than any browser session a HAR holds.
constexpr double kMaxSessionMs = 31.0 * 24 * 3600 * 1000;

QJsonObject content(const QJsonObject &entry)
{
    return entry.value(QStringLiteral("response")).toObject().value(QStringLiteral("content")).toObject();
}

QString urlOf(const QJsonObject &entry)
{
    return entry.value(QStringLiteral("request")).toObject().value(QStringLiteral("url")).toString();
}

StreamKind kindOf(const QJsonObject &entry)
{
    const QString scheme = QUrl(urlOf(entry)).scheme().toLower();
    if (entry.contains(QStringLiteral("_webSocketMessages"))
        || entry.value(QStringLiteral("_resourceType")).toString() == u"websocket" || scheme == u"ws"
        || scheme == u"wss")
        return StreamKind::WebSocket;
    const QJsonObject body = content(entry);
    if (!HttpExchange::isEventStreamType(body.value(QStringLiteral("mimeType")).toString().toLatin1()))
        return StreamKind::None;
    if (!body.value(QStringLiteral("text")).toString().isEmpty())
        return StreamKind::EventStreamBody;
    if (!entry.value(QStringLiteral("_eventSourceMessages")).toArray().isEmpty())
        return StreamKind::EventSourceMessages;
    return StreamKind::None;
}

// What an entry that is not a stream holds, for the message that refuses it.
QString describe(const QJsonObject &entry)
{
    QString type = content(entry).value(QStringLiteral("mimeType")).toString();
    if (type.isEmpty())
        type = QStringLiteral("no content type");
    return QStringLiteral("%1 %2 (%3)")
        .arg(entry.value(QStringLiteral("request")).toObject().value(QStringLiteral("method")).toString(),
             shownUrl(QUrl(urlOf(entry))), type);
}

QList<HttpHeader> headersOf(const QJsonObject &side)
{
    QList<HttpHeader> headers;
    for (const QJsonValue &header : side.value(QStringLiteral("headers")).toArray()) {
        const QJsonObject h = header.toObject();
        headers.append({h.value(QStringLiteral("name")).toString().toLatin1(),
                        h.value(QStringLiteral("value")).toString().toUtf8()});
    }
    return headers;
}

// Milliseconds since the epoch of a message time: DevTools writes seconds, Playwright milliseconds.
double epochMs(double time) { return time > 1e11 ? time : time * 1000.0; }

// The body of an event stream cut after each blank line: one piece per event.
QList<QByteArrayView> eventsOf(QByteArrayView body)
{
    QList<QByteArrayView> pieces;
    SseBlankLine blankLine;
    for (qsizetype end = blankLine.findEnd(body); end >= 0; end = blankLine.findEnd(body)) {
        pieces.append(body.first(end));
        body = body.sliced(end);
    }
    if (!body.isEmpty())
        pieces.append(body);
    return pieces;
}

class RecordingOut
{
public:
    Result<void> open(const QString &path, const QJsonObject &header) { return m_writer.open(path, header); }
    void add(Recording::Kind kind, double ms, QByteArrayView payload)
    {
        if (!m_error.isEmpty())
            return;
        if (const Result<void> ok = m_writer.add(kind, quint64(std::llround(std::max(0.0, ms) * 1e6)), payload); !ok)
            m_error = ok.error();
    }
    Result<void> close()
    {
        if (!m_error.isEmpty())
            return unexpected(m_error);
        return m_writer.close();
    }

private:
    RecordingWriter m_writer;
    QString m_error;
};

}   // namespace

Result<HarImportSummary> HarImport::toRecording(const QString &harPath, const QString &recordingPath, qsizetype entry)
{
    const Result<QByteArray> har = readSmallFile(harPath, kMaxHarBytes);
    if (!har)
        return unexpected(har.error());
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(*har, &parseError);
    const QJsonArray entries =
        document.object().value(QStringLiteral("log")).toObject().value(QStringLiteral("entries")).toArray();
    if (parseError.error != QJsonParseError::NoError)
        return unexpected(QStringLiteral("%1 is not a HAR file: %2 at byte %3")
                              .arg(harPath, parseError.errorString())
                              .arg(parseError.offset));
    if (!document.object().value(QStringLiteral("log")).isObject())
        return unexpected(QStringLiteral("%1 is not a HAR file: it has no \"log\" object").arg(harPath));

    QList<qsizetype> streams;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (kindOf(entries.at(i).toObject()) != StreamKind::None)
            streams.append(i + 1);
    }
    if (entry == 0) {
        if (streams.isEmpty()) {
            QStringList held;
            for (qsizetype i = 0; i < std::min<qsizetype>(entries.size(), 5); ++i)
                held << describe(entries.at(i).toObject());
            return unexpected(QStringLiteral("%1 holds no stream to import: a WebSocket's messages or an event-stream "
                                             "response with its body. Its %2 entries: %3%4")
                                  .arg(harPath)
                                  .arg(entries.size())
                                  .arg(held.isEmpty() ? QStringLiteral("none") : held.join(QStringLiteral("; ")),
                                       entries.size() > 5 ? QStringLiteral("; …") : QString()));
        }
        if (streams.size() > 1) {
            QStringList choices;
            for (const qsizetype n : std::as_const(streams))
                choices
                    << QStringLiteral("entry %1 (%2)").arg(n).arg(shownUrl(QUrl(urlOf(entries.at(n - 1).toObject()))));
            return unexpected(QStringLiteral("%1 holds %2 streams: %3; choose one by its entry number")
                                  .arg(harPath)
                                  .arg(streams.size())
                                  .arg(choices.join(QStringLiteral(", "))));
        }
        entry = streams.first();
    }
    if (entry < 1 || entry > entries.size())
        return unexpected(QStringLiteral("%1 has %2 entries, not %3").arg(harPath).arg(entries.size()).arg(entry));
    const QJsonObject chosen = entries.at(entry - 1).toObject();
    const StreamKind kind = kindOf(chosen);
    if (kind == StreamKind::None)
        return unexpected(QStringLiteral("entry %1 of %2 is not a stream Clickscope can import: %3")
                              .arg(entry)
                              .arg(harPath, describe(chosen)));

    const QJsonObject request = chosen.value(QStringLiteral("request")).toObject();
    const QJsonObject response = chosen.value(QStringLiteral("response")).toObject();
    SourceConfig config;
    config.url = QUrl(urlOf(chosen));
    config.method = request.value(QStringLiteral("method")).toString(QStringLiteral("GET")).toLatin1();
    config.headers = headersOf(request);
    const QString started = chosen.value(QStringLiteral("startedDateTime")).toString();
    const QDateTime startedAt = QDateTime::fromString(started, Qt::ISODateWithMs);
    if (!startedAt.isValid())
        return unexpected(
            QStringLiteral("entry %1 of %2 has no valid startedDateTime ('%3')").arg(entry).arg(harPath, started));

    HarImportSummary summary;
    summary.url = shownUrl(config.url);
    summary.transport = kind == StreamKind::WebSocket ? QStringLiteral("websocket") : QStringLiteral("sse");
    summary.entry = entry;
    QJsonObject header = StreamRecorder::headerFor(config);
    header.insert(QStringLiteral("transport"), summary.transport);
    header.insert(QStringLiteral("startedAt"), startedAt.toUTC().toString(Qt::ISODateWithMs));
    const QJsonObject creator =
        document.object().value(QStringLiteral("log")).toObject().value(QStringLiteral("creator")).toObject();
    QJsonObject imported{{QStringLiteral("har"), QFileInfo(harPath).fileName()},
                         {QStringLiteral("entry"), qint64(entry)},
                         {QStringLiteral("creator"), QStringLiteral("%1 %2")
                                                         .arg(creator.value(QStringLiteral("name")).toString(),
                                                              creator.value(QStringLiteral("version")).toString())
                                                         .trimmed()}};

    // Everything to write, with its time in ms after startedDateTime.
    struct Item
    {
        Recording::Kind kind;
        double ms;
        QByteArray payload;
    };
    QList<Item> items;
    const double t0 = double(startedAt.toMSecsSinceEpoch());
    if (kind == StreamKind::WebSocket) {
        qsizetype sent = 0;
        for (const QJsonValue &value : chosen.value(QStringLiteral("_webSocketMessages")).toArray()) {
            const QJsonObject message = value.toObject();
            if (message.value(QStringLiteral("type")).toString() != u"receive") {
                ++sent;
                continue;
            }
            const double ms = epochMs(message.value(QStringLiteral("time")).toDouble()) - t0;
            const QString data = message.value(QStringLiteral("data")).toString();
            if (message.value(QStringLiteral("opcode")).toInt() == 2) {
                const auto decoded =
                    QByteArray::fromBase64Encoding(data.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
                if (!decoded)
                    return unexpected(
                        QStringLiteral("entry %1 of %2: a binary message is not valid base64").arg(entry).arg(harPath));
                items.append({Recording::Kind::BinaryMessage, ms, *decoded});
            } else {
                items.append({Recording::Kind::TextMessage, ms, data.toUtf8()});
            }
        }
        if (items.isEmpty())
            return unexpected(QStringLiteral("entry %1 of %2 is a WebSocket, but the HAR holds no message it received")
                                  .arg(entry)
                                  .arg(harPath));
        if (sent > 0)
            summary.notes << QStringLiteral("%1 messages the browser sent are left out: a recording holds what arrived")
                                 .arg(sent);
    } else if (kind == StreamKind::EventSourceMessages) {
        QByteArray previousId;
        for (const QJsonValue &value : chosen.value(QStringLiteral("_eventSourceMessages")).toArray()) {
            const QJsonObject message = value.toObject();
            if (!message.contains(QStringLiteral("data")))
                return unexpected(QStringLiteral("entry %1 of %2 was saved without its events' data (a sanitized "
                                                 "export): save the HAR with its sensitive data to import it")
                                      .arg(entry)
                                      .arg(harPath));
            const QByteArray id = message.value(QStringLiteral("eventId")).toString().toUtf8();
            QByteArray bytes;
            appendSseEvent(bytes, message.value(QStringLiteral("eventName")).toString().toUtf8(), id,
                           message.value(QStringLiteral("data")).toString().toUtf8(), previousId);
            previousId = id;
            items.append(
                {Recording::Kind::Data, epochMs(message.value(QStringLiteral("time")).toDouble()) - t0, bytes});
        }
        summary.notes << QStringLiteral("the browser kept the events, not the bytes: comments and malformed lines are "
                                        "not in the HAR");
    } else {
        const QJsonObject body = content(chosen);
        QByteArray text = body.value(QStringLiteral("text")).toString().toUtf8();
        if (body.value(QStringLiteral("encoding")).toString() == u"base64") {
            const auto decoded = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return unexpected(
                    QStringLiteral("entry %1 of %2: its base64 body does not decode").arg(entry).arg(harPath));
            text = *decoded;
        }
        // The HAR times the response, not each event: from its first byte over its receive time.
        const QJsonObject timings = chosen.value(QStringLiteral("timings")).toObject();
        double firstByteMs = 0;
        for (const char *phase : {"blocked", "dns", "connect", "send", "wait"})
            firstByteMs += std::max(0.0, timings.value(QLatin1String(phase)).toDouble());
        const double receiveMs = std::max(0.0, timings.value(QStringLiteral("receive")).toDouble());
        const QList<QByteArrayView> events = eventsOf(text);
        for (qsizetype i = 0; i < events.size(); ++i) {
            const double at =
                events.size() > 1 ? firstByteMs + receiveMs * double(i) / double(events.size() - 1) : firstByteMs;
            items.append({Recording::Kind::Data, at, events[i].toByteArray()});
        }
        summary.evenlySpaced = true;
        summary.notes << QStringLiteral("the HAR has no time per event: the %1 events are spread evenly over the "
                                        "response's %2 ms")
                             .arg(events.size())
                             .arg(receiveMs, 0, 'f', 1);
    }
    // Clocks of a browser and of its HAR can disagree by a little: nothing starts before the start.
    // A time far beyond any session is a broken file, not a stream to wait for.
    double lastMs = 0;
    for (Item &item : items) {
        if (!std::isfinite(item.ms) || item.ms > kMaxSessionMs)
            return unexpected(QStringLiteral("entry %1 of %2 has a time %3 s after its start: not one of a session")
                                  .arg(entry)
                                  .arg(harPath)
                                  .arg(item.ms / 1000.0, 0, 'g', 6));
        item.ms = std::max(item.ms, lastMs);
        lastMs = item.ms;
    }
    imported.insert(QStringLiteral("timing"),
                    summary.evenlySpaced ? QStringLiteral("evenly spaced") : QStringLiteral("as the HAR has it"));
    header.insert(QStringLiteral("importedFrom"), imported);

    HttpExchange exchange;
    exchange.url = config.url;
    exchange.method = config.method;
    exchange.requestHeaders = config.headers;
    exchange.status = response.value(QStringLiteral("status")).toInt();
    exchange.reason = response.value(QStringLiteral("statusText")).toString().toLatin1();
    exchange.version = response.value(QStringLiteral("httpVersion")).toString().toLatin1();
    exchange.responseHeaders = headersOf(response);

    RecordingOut out;
    if (Result<void> opened = out.open(recordingPath, header); !opened)
        return unexpected(opened.error());
    out.add(Recording::Kind::Attempt, 0, {});
    out.add(Recording::Kind::Response, 0, QJsonDocument(exchange.toJson()).toJson(QJsonDocument::Compact));
    for (const Item &item : std::as_const(items))
        out.add(item.kind, item.ms, item.payload);
    out.add(Recording::Kind::End, lastMs,
            QJsonDocument(QJsonObject{{QStringLiteral("reason"), QStringLiteral("the HAR ends here")}})
                .toJson(QJsonDocument::Compact));
    if (Result<void> closed = out.close(); !closed)
        return unexpected(closed.error());
    summary.messages = items.size();
    return summary;
}

}   // namespace Clickscope
