// SPDX-License-Identifier: MIT
#include "app/eventinspector.h"

#include "ui_eventinspector.h"

#include <QAction>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocale>
#include <QScrollBar>
#include <QSignalBlocker>

namespace Clickscope {

EventInspector::EventInspector(QWidget *parent) : QWidget(parent), m_ui(std::make_unique<Ui::EventInspector>())
{
    m_ui->setupUi(this);
    m_filtered.setSourceModel(m_log);
    m_filtered.setFilterKeyColumn(-1);   // any column
    m_filtered.setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_ui->eventView->setModel(&m_filtered);
    connect(m_ui->eventFilterEdit, &QLineEdit::textChanged, &m_filtered, &QSortFilterProxyModel::setFilterFixedString);
    QHeaderView *header = m_ui->eventView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(EventLogModel::DataColumn, QHeaderView::Stretch);
    // ResizeToContents measures the empty table once, which elides every id: give ids a fixed
    // start width that the user can change.
    header->setSectionResizeMode(EventLogModel::IdColumn, QHeaderView::Interactive);
    header->resizeSection(EventLogModel::IdColumn,
                          m_ui->eventView->fontMetrics().horizontalAdvance(QStringLiteral("0000000000")) + 12);
    m_ui->eventView->verticalHeader()->hide();
    m_ui->eventView->verticalHeader()->setDefaultSectionSize(m_ui->eventView->fontMetrics().height() + 6);
    m_ui->eventView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_ui->eventDataView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_ui->inspectorSplitter->setStretchFactor(0, 3);
    m_ui->inspectorSplitter->setStretchFactor(1, 2);

    connect(m_ui->pauseButton, &QPushButton::toggled, this, &EventInspector::setPaused);
    m_pausedConnection = connect(m_log, &EventLogModel::pausedChanged, this, &EventInspector::showPauseButton);
    connect(m_ui->eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &EventInspector::showSelected);
    // Escape lets go of the selected event, and the table follows the newest again.
    auto *release = new QAction(tr("Follow the newest"), this);
    release->setShortcut(Qt::Key_Escape);
    release->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_ui->eventView->addAction(release);
    connect(release, &QAction::triggered, this, [this] {
        m_ui->eventView->selectionModel()->clear();
        m_ui->eventView->scrollToBottom();
    });
    updateStatus();
}

EventInspector::~EventInspector() = default;

void EventInspector::setLog(EventLogModel *log)
{
    if (!log)
        log = &m_ownLog;
    if (log == m_log)
        return;
    disconnect(m_pausedConnection);
    m_log = log;
    m_filtered.setSourceModel(m_log);
    m_pausedConnection = connect(m_log, &EventLogModel::pausedChanged, this, &EventInspector::showPauseButton);
    m_ui->eventDataView->clear();
    m_ui->eventView->scrollToBottom();
    const QSignalBlocker blocker(m_ui->pauseButton);
    m_ui->pauseButton->setChecked(m_log->isPaused());
    m_ui->pauseButton->setText(m_log->isPaused() ? tr("&Resume") : tr("&Pause"));
    updateStatus();
}

void EventInspector::showPauseButton(bool paused)
{
    m_ui->pauseButton->setChecked(paused);
    m_ui->pauseButton->setText(paused ? tr("&Resume") : tr("&Pause"));
    updateStatus();
    emit pausedChanged(paused);
}

void EventInspector::setPaused(bool paused) { m_log->setPaused(paused); }

void EventInspector::applySnapshot(const DashboardSnapshot &snapshot)
{
    if (snapshot.newEvents.isEmpty() && snapshot.eventsNotShown == 0)
        return;
    QTableView *view = m_ui->eventView;
    const QScrollBar *bar = view->verticalScrollBar();
    // A selected event holds the view: new rows do not carry it away (Escape lets go).
    const bool following = bar->value() == bar->maximum() && !view->currentIndex().isValid();
    m_log->applySnapshot(snapshot);
    if (following && !m_log->isPaused())
        view->scrollToBottom();
    else if (view->currentIndex().isValid())
        view->scrollTo(view->currentIndex(), QAbstractItemView::EnsureVisible);
    updateStatus();
}

void EventInspector::clear()
{
    m_log->clear();
    m_ui->eventDataView->clear();
    updateStatus();
}

QString EventInspector::detailText() const { return m_ui->eventDataView->toPlainText(); }

QString EventInspector::statusText() const { return m_ui->inspectorStatusLabel->text(); }

QString EventInspector::prettyData(const QByteArray &data)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(data, &error);
    if (error.error == QJsonParseError::NoError && !document.isNull())
        return QString::fromUtf8(document.toJson(QJsonDocument::Indented));
    return QString::fromUtf8(data);
}

void EventInspector::showSelected()
{
    const QModelIndex current = m_ui->eventView->selectionModel()->currentIndex();
    const QModelIndex source = m_filtered.mapToSource(current);
    m_ui->eventDataView->setPlainText(source.isValid() ? prettyData(m_log->fullData(source.row())) : QString());
}

void EventInspector::updateStatus()
{
    const QLocale locale;
    QString text = tr("%1 events").arg(locale.toString(m_log->rowCount()));
    if (m_log->isPaused())
        text += tr(", paused: %1 waiting").arg(locale.toString(m_log->pendingCount()));
    if (const quint64 lost = m_log->evicted() + m_log->notShownUpstream(); lost > 0)
        text += tr(", %1 older not kept").arg(locale.toString(lost));
    m_ui->inspectorStatusLabel->setText(text);
}

}   // namespace Clickscope
