// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <deque>
#include <optional>

namespace Clickscope {

// A click as the publisher sends it: its sequence id, the channel it was published to, and its
// JSON, serialised once and shared by every subscriber.
struct PublishedClick
{
    quint64 sequence = 0;
    QString channel;   // "all" when published to no particular channel
    QByteArray link;
    QByteArray json;
};

// Why a publish request was refused: the message, the field at fault and the element's index.
struct PublishError
{
    QString message;
    QString field;
    qsizetype index = -1;
};

// The publisher's state without any transport: it numbers clicks, fills in what they lack, keeps
// a bounded history for resuming streams and the totals for snapshots, and announces each
// published batch once. Streams and sockets subscribe to that announcement.
class ClickHub : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype kDefaultHistory = 10'000;
    static constexpr qsizetype kMaxTrackedLinks = 100'000;   // beyond this, new links count as "other"

    explicit ClickHub(qsizetype historySize = kDefaultHistory, QObject *parent = nullptr);

    // Parses a publish body: one JSON object, an array of objects, or NDJSON. All or nothing:
    // any bad element refuses the whole body.
    static Result<QList<QJsonObject>, PublishError> parseClicks(const QByteArray &body);
    // Success when one click is acceptable; `index` is its place in the body, for the error.
    static Result<void, PublishError> checkClick(const QJsonObject &click, qsizetype index);

    // Numbers the clicks (and fills "id" and "ts" where missing), records and announces them.
    QList<PublishedClick> publish(const QList<QJsonObject> &clicks, const QString &channel = QStringLiteral("all"));
    // A click as it is stored where it is numbered elsewhere (a shared stream): with its "ts"
    // and its channel ("channel", unless "all") filled in, not yet its "id".
    static QJsonObject prepare(QJsonObject click, const QString &channel, qint64 nowMs);
    // Clicks numbered elsewhere (a shared stream's sequences, rising), as prepare() made them:
    // recorded (with "id" filled from the sequence where missing) and announced; what is not after
    // lastSequence() was had already and is skipped, and what is not a JSON object only takes
    // its number.
    QList<PublishedClick> ingest(const QList<std::pair<quint64, QByteArray>> &clicks);

    // The clicks after `sequence` still held, oldest first, or nullopt when `sequence` is older than
    // the history (or newer than anything published: a client from before a restart).
    std::optional<QList<PublishedClick>> clicksAfter(quint64 sequence) const;

    // The newest `n` clicks still held (fewer when the history is shorter), oldest first.
    QList<PublishedClick> lastClicks(qsizetype n) const;

    quint64 lastSequence() const { return m_sequence; }
    quint64 totalClicks() const { return m_total; }
    quint64 clicksOf(const QByteArray &link) const { return m_linkCounts.value(link); }
    // The last click of a link, for the /realtime shape; empty when it never had one.
    QByteArray lastClickOf(const QByteArray &link) const { return m_lastClickOfLink.value(link); }
    // {"clickCount": N, "lastId": id, "links": {…the most clicked, at most `topLinks`…}}
    QByteArray snapshotJson(int topLinks = 100) const;

signals:
    void published(const QList<Clickscope::PublishedClick> &clicks);

private:
    PublishedClick record(quint64 sequence, QJsonObject click, const QString &channel);

    qsizetype m_historySize;
    std::deque<PublishedClick> m_history;
    QHash<QByteArray, quint64> m_linkCounts;
    QHash<QByteArray, QByteArray> m_lastClickOfLink;
    quint64 m_otherLinks = 0;
    quint64 m_sequence = 0;
    quint64 m_total = 0;
};

}   // namespace Clickscope
