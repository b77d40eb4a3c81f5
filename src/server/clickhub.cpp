// SPDX-License-Identifier: MIT
#include "server/clickhub.h"

#include "core/decode/fieldparsers.h"

#include <QDateTime>

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace Clickscope {
namespace {

// Fields a click may carry that must be strings when present.
constexpr const char *kStringFields[] = {"country", "referrer", "device", "browser", "userAgent", "channel"};
constexpr qsizetype kMaxLinkLength = 2048;

PublishError errorAt(qsizetype index, const QString &field, const QString &message) { return {message, field, index}; }

}   // namespace

ClickHub::ClickHub(qsizetype historySize, QObject *parent)
    : QObject(parent)
    , m_historySize(std::max<qsizetype>(1, historySize))
{
    qRegisterMetaType<QList<PublishedClick>>();
}

Result<void, PublishError> ClickHub::checkClick(const QJsonObject &click, qsizetype index)
{
    const QJsonValue link = click.value(QLatin1String("link"));
    if (link.isUndefined())
        return unexpected(errorAt(index, QStringLiteral("link"), QStringLiteral("missing field 'link'")));
    if (!link.isString() || link.toString().isEmpty())
        return unexpected(errorAt(index, QStringLiteral("link"), QStringLiteral("'link' must be a non-empty string")));
    if (link.toString().size() > kMaxLinkLength)
        return unexpected(errorAt(index, QStringLiteral("link"),
                                  QStringLiteral("'link' is %1 characters; the limit is %2")
                                      .arg(link.toString().size())
                                      .arg(kMaxLinkLength)));
    for (const char *name : kStringFields) {
        const QJsonValue value = click.value(QLatin1String(name));
        if (!value.isUndefined() && !value.isNull() && !value.isString())
            return unexpected(errorAt(index, QString::fromLatin1(name),
                                      QStringLiteral("'%1' must be a string").arg(QLatin1String(name))));
    }
    const QJsonValue ts = click.value(QLatin1String("ts"));
    if (!ts.isUndefined() && !(ts.isDouble() && ts.toDouble() >= 0) && !ts.isString())
        return unexpected(errorAt(index, QStringLiteral("ts"),
                                  QStringLiteral("'ts' must be milliseconds since the epoch or an ISO 8601 string")));
    // The dashboard's parser: a date accepted here is one every Clickscope reader accepts.
    qint64 tsMs = 0;
    if (ts.isString() && (!parseIso8601(ts.toString().toStdString(), tsMs) || tsMs < 0))
        return unexpected(
            errorAt(index, QStringLiteral("ts"), QStringLiteral("'ts' is not an ISO 8601 date from 1970 on")));
    const QJsonValue id = click.value(QLatin1String("id"));
    if (!id.isUndefined() && !id.isString() && !id.isDouble())
        return unexpected(errorAt(index, QStringLiteral("id"), QStringLiteral("'id' must be a string or a number")));
    return {};
}

Result<QList<QJsonObject>, PublishError> ClickHub::parseClicks(const QByteArray &body)
{
    QList<QJsonObject> clicks;
    const auto fail = [](PublishError e) { return unexpected(std::move(e)); };
    const QByteArray trimmed = body.trimmed();
    if (trimmed.isEmpty())
        return fail(errorAt(-1, {}, QStringLiteral("empty body: send a click object, an array or NDJSON")));

    QJsonParseError parseError;
    const QJsonDocument whole = QJsonDocument::fromJson(trimmed, &parseError);
    if (parseError.error == QJsonParseError::NoError && whole.isObject()) {
        clicks.append(whole.object());
    } else if (parseError.error == QJsonParseError::NoError && whole.isArray()) {
        const QJsonArray array = whole.array();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array.at(i).isObject())
                return fail(errorAt(i, {}, QStringLiteral("element %1 is not a JSON object").arg(i)));
            clicks.append(array.at(i).toObject());
        }
    } else if (trimmed.startsWith('[')) {
        return fail(errorAt(-1, {},
                            QStringLiteral("invalid JSON array: %1 at offset %2")
                                .arg(parseError.errorString())
                                .arg(parseError.offset)));
    } else {
        // NDJSON: one object per line; blank lines are allowed.
        qsizetype index = 0;
        for (const QByteArray &rawLine : trimmed.split('\n')) {
            const QByteArray line = rawLine.trimmed();
            if (line.isEmpty())
                continue;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
            if (parseError.error != QJsonParseError::NoError || !doc.isObject())
                return fail(
                    errorAt(index, {},
                            QStringLiteral("line %1 is not a JSON object: %2")
                                .arg(index + 1)
                                .arg(parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                                  : QStringLiteral("not an object"))));
            clicks.append(doc.object());
            ++index;
        }
    }
    if (clicks.isEmpty())
        return fail(errorAt(-1, {}, QStringLiteral("no clicks in the body")));
    for (qsizetype i = 0; i < clicks.size(); ++i) {
        if (const Result<void, PublishError> valid = checkClick(clicks[i], i); !valid)
            return fail(valid.error());
    }
    return clicks;
}

QJsonObject ClickHub::prepare(QJsonObject click, const QString &channel, qint64 nowMs)
{
    if (!click.contains(QLatin1String("ts")))
        click.insert(QLatin1String("ts"), nowMs);
    if (!channel.isEmpty() && channel != u"all")
        click.insert(QLatin1String("channel"), channel);
    return click;
}

QList<PublishedClick> ClickHub::publish(const QList<QJsonObject> &clicks, const QString &channel)
{
    QList<PublishedClick> out;
    out.reserve(clicks.size());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString to = channel.isEmpty() ? QStringLiteral("all") : channel;
    for (const QJsonObject &click : clicks)
        out.append(record(++m_sequence, prepare(click, to, now), to));
    if (!out.isEmpty())
        emit published(out);
    return out;
}

QList<PublishedClick> ClickHub::ingest(const QList<std::pair<quint64, QByteArray>> &clicks)
{
    QList<PublishedClick> out;
    for (const auto &[sequence, json] : clicks) {
        if (sequence <= m_sequence)
            continue;   // had it already
        m_sequence = sequence;
        const QJsonDocument document = QJsonDocument::fromJson(json);
        if (!document.isObject())
            continue;   // not a click: only its number is taken
        // prepare() wrote the channel into the click, "all" being none.
        const QString channel = document.object().value(QLatin1String("channel")).toString();
        out.append(record(sequence, document.object(), channel.isEmpty() ? QStringLiteral("all") : channel));
    }
    if (!out.isEmpty())
        emit published(out);
    return out;
}

PublishedClick ClickHub::record(quint64 sequence, QJsonObject click, const QString &channel)
{
    if (!click.contains(QLatin1String("id")))
        click.insert(QLatin1String("id"), qint64(sequence));
    PublishedClick published{sequence, channel, click.value(QLatin1String("link")).toString().toUtf8(),
                             QJsonDocument(click).toJson(QJsonDocument::Compact)};
    if (auto it = m_linkCounts.find(published.link); it != m_linkCounts.end()) {
        ++*it;
        m_lastClickOfLink.insert(published.link, published.json);
    } else if (m_linkCounts.size() < kMaxTrackedLinks) {
        m_linkCounts.insert(published.link, 1);
        m_lastClickOfLink.insert(published.link, published.json);
    } else {
        ++m_otherLinks;
    }
    ++m_total;
    m_history.push_back(published);
    if (qsizetype(m_history.size()) > m_historySize)
        m_history.pop_front();
    return published;
}

std::optional<QList<PublishedClick>> ClickHub::clicksAfter(quint64 sequence) const
{
    if (sequence > m_sequence)
        return std::nullopt;
    QList<PublishedClick> out;
    if (sequence == m_sequence)
        return out;
    // Sequences from a shared stream may skip numbers (a message that was no click), so the
    // history is searched, not indexed.
    const quint64 oldest = m_history.empty() ? m_sequence + 1 : m_history.front().sequence;
    if (sequence + 1 < oldest)
        return std::nullopt;
    const auto first = std::upper_bound(m_history.begin(), m_history.end(), sequence,
                                        [](quint64 s, const PublishedClick &click) { return s < click.sequence; });
    for (auto it = first; it != m_history.end(); ++it)
        out.append(*it);
    return out;
}

QList<PublishedClick> ClickHub::lastClicks(qsizetype n) const
{
    const qsizetype count = std::clamp<qsizetype>(n, 0, qsizetype(m_history.size()));
    return QList<PublishedClick>(m_history.end() - count, m_history.end());
}

QByteArray ClickHub::snapshotJson(int topLinks) const
{
    QList<std::pair<quint64, QByteArray>> ranked;
    ranked.reserve(m_linkCounts.size());
    for (auto it = m_linkCounts.cbegin(); it != m_linkCounts.cend(); ++it)
        ranked.append({it.value(), it.key()});
    const qsizetype n = std::min<qsizetype>(topLinks, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end(), [](const auto &a, const auto &b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    QJsonObject links;
    for (qsizetype i = 0; i < n; ++i)
        links.insert(QString::fromUtf8(ranked[i].second), qint64(ranked[i].first));
    QJsonObject snapshot{{QStringLiteral("clickCount"), qint64(m_total)},
                         {QStringLiteral("lastId"), qint64(m_sequence)},
                         {QStringLiteral("links"), links}};
    if (m_otherLinks > 0)
        snapshot.insert(QStringLiteral("otherLinks"), qint64(m_otherLinks));
    return QJsonDocument(snapshot).toJson(QJsonDocument::Compact);
}

}   // namespace Clickscope
