// SPDX-License-Identifier: MIT
#include "app/streamlist.h"

#include <QColor>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

#include <algorithm>

namespace Clickscope {

namespace {

const QColor kOpen(0x27, 0xae, 0x60);
const QColor kWaiting(0xe6, 0x7e, 0x22);
const QColor kFailed(0xc0, 0x39, 0x2b);
const QColor kIdle(0x95, 0xa5, 0xa6);

QColor stateColor(const WatchedStream &stream)
{
    if (stream.isInTrouble())
        return kFailed;
    if (!stream.active)
        return kIdle;
    switch (stream.state) {
    case StreamSource::State::Open:
        return kOpen;
    case StreamSource::State::Connecting:
        return kWaiting;
    case StreamSource::State::Closed:
        return kIdle;
    }
    return kIdle;
}

QColor severityColor(Finding::Severity severity)
{
    switch (severity) {
    case Finding::Severity::Error:
        return kFailed;
    case Finding::Severity::Warning:
        return kWaiting;
    case Finding::Severity::Info:
        break;
    }
    return {};
}

}   // namespace

StreamList::StreamList(QObject *parent) : QAbstractTableModel(parent) {}

StreamList::~StreamList() = default;

WatchedStream *StreamList::append()
{
    if (size() >= kMaxStreams)
        return nullptr;
    beginInsertRows({}, size(), size());
    m_streams.push_back(std::make_unique<WatchedStream>(m_nextId++));
    m_changed.push_back(false);
    endInsertRows();
    return m_streams.back().get();
}

std::unique_ptr<WatchedStream> StreamList::take(int row)
{
    if (row < 0 || row >= size())
        return nullptr;
    beginRemoveRows({}, row, row);
    std::unique_ptr<WatchedStream> taken = std::move(m_streams[std::size_t(row)]);
    m_streams.erase(m_streams.begin() + row);
    m_changed.erase(m_changed.begin() + row);
    endRemoveRows();
    return taken;
}

bool StreamList::move(int from, int to)
{
    if (from < 0 || from >= size() || to < 0 || to >= size() || from == to)
        return false;
    // beginMoveRows takes the row the moved one goes before, in the list as it was.
    if (!beginMoveRows({}, from, from, {}, to > from ? to + 1 : to))
        return false;
    auto stream = std::move(m_streams[std::size_t(from)]);
    const bool changed = m_changed[std::size_t(from)];
    m_streams.erase(m_streams.begin() + from);
    m_changed.erase(m_changed.begin() + from);
    m_streams.insert(m_streams.begin() + to, std::move(stream));
    m_changed.insert(m_changed.begin() + to, changed);
    endMoveRows();
    return true;
}

WatchedStream *StreamList::at(int row) const
{
    return row >= 0 && row < size() ? m_streams[std::size_t(row)].get() : nullptr;
}

int StreamList::rowOf(const WatchedStream *stream) const
{
    const auto found =
        std::find_if(m_streams.begin(), m_streams.end(), [stream](const auto &owned) { return owned.get() == stream; });
    return found == m_streams.end() ? -1 : int(found - m_streams.begin());
}

WatchedStream *StreamList::find(quint64 id) const
{
    const auto found =
        std::find_if(m_streams.begin(), m_streams.end(), [id](const auto &owned) { return owned->id() == id; });
    return found == m_streams.end() ? nullptr : found->get();
}

QModelIndex StreamList::indexOf(const WatchedStream *stream, int column) const
{
    const int row = rowOf(stream);
    return row < 0 ? QModelIndex() : index(row, column);
}

void StreamList::markChanged(const WatchedStream *stream)
{
    if (const int row = rowOf(stream); row >= 0)
        m_changed[std::size_t(row)] = true;
}

void StreamList::refresh()
{
    // One signal for the rows that changed, first to last: views repaint once, not per row.
    int first = -1;
    int last = -1;
    for (int row = 0; row < size(); ++row) {
        // A countdown moves without snapshots.
        if (m_changed[std::size_t(row)] || m_streams[std::size_t(row)]->retryAtMs != 0) {
            m_changed[std::size_t(row)] = false;
            first = first < 0 ? row : first;
            last = row;
        }
    }
    if (first >= 0)
        emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

int StreamList::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : size(); }

int StreamList::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant StreamList::data(const QModelIndex &index, int role) const
{
    const WatchedStream *stream = at(index.row());
    if (!stream || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return display(*stream, index.column());
    case Qt::EditRole:
        return index.column() == NameColumn ? QVariant(stream->name()) : display(*stream, index.column());
    case Qt::ToolTipRole:
        return toolTip(*stream, index.column());
    case Qt::ForegroundRole:
        return foreground(*stream, index.column());
    case Qt::DecorationRole:
        return index.column() == NameColumn ? QVariant(dot(stateColor(*stream))) : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == ClicksColumn || index.column() == GapsColumn || index.column() == UndecodableColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SparklineRole: {
        if (index.column() != RateColumn || !stream->snapshot)
            return {};
        const QList<double> &series = stream->snapshot->clicksPerSecond;
        const qsizetype buckets =
            std::min<qsizetype>(series.size(), kSparklineSeconds / std::max(1, stream->snapshot->seriesBucketSeconds));
        return QVariant::fromValue(series.mid(series.size() - buckets));
    }
    case StreamRole:
        return QVariant::fromValue(quintptr(stream));
    default:
        return {};
    }
}

QVariant StreamList::display(const WatchedStream &stream, int column) const
{
    const QLocale locale;
    const DashboardSnapshot *snapshot = stream.snapshot.get();
    switch (column) {
    case NameColumn:
        return stream.name();
    case StateColumn:
        return stream.stateText(QDateTime::currentMSecsSinceEpoch());
    case ClicksColumn:
        return snapshot ? locale.toString(snapshot->totals.clicks) : QStringLiteral("–");
    case RateColumn:
        if (!snapshot || snapshot->clicksPerSecond.isEmpty())
            return QStringLiteral("–");
        return tr("%1/s").arg(locale.toString(snapshot->clicksPerSecond.last(), 'f', 0));
    case GapsColumn:
        return snapshot ? locale.toString(snapshot->totals.gaps) : QStringLiteral("–");
    case UndecodableColumn:
        return snapshot ? locale.toString(snapshot->totals.undecodable) : QStringLiteral("–");
    case FindingColumn:
        if (const Finding *worst = stream.xray ? stream.xray->worstFinding() : nullptr)
            return worst->statement;
        if (!stream.lastError.isEmpty())
            return stream.lastError;
        if (!stream.missingCredentials.isEmpty())
            return tr("Waits for %1").arg(stream.missingCredentials.join(QStringLiteral(", ")));
        return stream.retryAtMs != 0 && !stream.retryReason.isEmpty() ? stream.retryReason : QStringLiteral("–");
    default:
        return {};
    }
}

QVariant StreamList::toolTip(const WatchedStream &stream, int column) const
{
    switch (column) {
    case NameColumn:
        return shownUrl(stream.request.config.url);
    case StateColumn:
        return stream.lastError.isEmpty() ? stream.endReason : stream.lastError;
    case FindingColumn:
        return display(stream, column);
    default:
        return {};
    }
}

QVariant StreamList::foreground(const WatchedStream &stream, int column) const
{
    const DashboardSnapshot *snapshot = stream.snapshot.get();
    switch (column) {
    case StateColumn:
        return stream.isInTrouble() ? QVariant(kFailed) : QVariant();
    case GapsColumn:
        return snapshot && snapshot->totals.gaps > 0 ? QVariant(kWaiting) : QVariant();
    case UndecodableColumn:
        return snapshot && snapshot->totals.undecodable > 0 ? QVariant(kWaiting) : QVariant();
    case FindingColumn:
        if (const Finding *worst = stream.xray ? stream.xray->worstFinding() : nullptr) {
            const QColor color = severityColor(worst->severity);
            return color.isValid() ? QVariant(color) : QVariant();
        }
        return stream.lastError.isEmpty() && stream.retryAtMs == 0 ? QVariant() : QVariant(kFailed);
    default:
        return {};
    }
}

QIcon StreamList::dot(const QColor &color) const
{
    auto cached = m_dots.constFind(color.rgb());
    if (cached != m_dots.constEnd())
        return *cached;
    constexpr int kSize = 12;
    QPixmap pixmap(kSize, kSize);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(1, 1, kSize - 2, kSize - 2));
    painter.end();
    return *m_dots.insert(color.rgb(), QIcon(pixmap));
}

QVariant StreamList::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Stream");
    case StateColumn:
        return tr("State");
    case ClicksColumn:
        return tr("Clicks");
    case RateColumn:
        return tr("Clicks/s (last 2 min)");
    case GapsColumn:
        return tr("Gaps");
    case UndecodableColumn:
        return tr("Undecodable");
    case FindingColumn:
        return tr("Worst finding");
    default:
        return {};
    }
}

Qt::ItemFlags StreamList::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == NameColumn)
        flags |= Qt::ItemIsEditable;
    return flags;
}

bool StreamList::setData(const QModelIndex &index, const QVariant &value, int role)
{
    WatchedStream *stream = at(index.row());
    if (!stream || index.column() != NameColumn || role != Qt::EditRole)
        return false;
    const QString name = value.toString().trimmed();
    // Keeping the made-up name as typed would freeze it when the URL changes.
    stream->setGivenName(name == stream->name() && stream->givenName().isEmpty() ? QString() : name);
    emit dataChanged(index, index);
    return true;
}

}   // namespace Clickscope
