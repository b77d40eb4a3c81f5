// SPDX-License-Identifier: MIT
#include "app/mainwindow.h"

#include "app/comparewindow.h"
#include "app/connectdialog.h"
#include "app/connectionpanel.h"
#include "app/counterspanel.h"
#include "app/dashboardexport.h"
#include "app/eventinspector.h"
#include "app/publisherpanel.h"
#include "app/rankingpanel.h"
#include "app/ratechartview.h"
#include "app/recentstreams.h"
#include "app/replaybar.h"
#include "app/sharepanel.h"
#include "app/streamstatus.h"
#include "server/demoserver.h"
#include "ui_mainwindow.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QStringListModel>

#include <utility>

namespace Clickscope {

namespace {

constexpr int kReportTopRows = 10;   // as `clickscope-cli watch --json` prints by default

namespace Key {
const QString geometry = QStringLiteral("window/geometry");
const QString state = QStringLiteral("window/state");
const QString mainSplitter = QStringLiteral("window/mainSplitter");
const QString chartsSplitter = QStringLiteral("window/chartsSplitter");
const QString chartWindow = QStringLiteral("view/chartWindowSeconds");
const QString shareSubject = QStringLiteral("view/shareSubject");
const QString shareStyle = QStringLiteral("view/shareStyle");
const QString theme = QStringLiteral("view/theme");
const QString comments = QStringLiteral("view/showComments");
const QString exportFolder = QStringLiteral("export/lastFolder");
}   // namespace Key

}   // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<Ui::MainWindow>())
    , m_theme(this)
    , m_status(new StreamStatus(this))
    , m_connectionPanel(new ConnectionPanel(this))
    , m_connectionDock(new QDockWidget(tr("Connection X-ray"), this))
    , m_replayBar(new ReplayBar(this))
    , m_recordingIndicator(new QLabel(this))
    , m_windowCombo(new QComboBox(this))
    , m_themeGroup(new QActionGroup(this))
{
    m_ui->setupUi(this);
    m_ui->mainSplitter->setStretchFactor(0, 4);
    m_ui->mainSplitter->setStretchFactor(1, 3);
    m_ui->mainSplitter->setStretchFactor(2, 3);
    m_ui->chartsSplitter->setSizes({600, 400});   // until restoreSettings() brings the user's
    m_ui->statusBar->addPermanentWidget(m_status, 1);
    m_recordingIndicator->setObjectName(QStringLiteral("recordingIndicator"));
    m_recordingIndicator->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
    m_ui->statusBar->addPermanentWidget(m_recordingIndicator);
    m_recordingIndicator->hide();
    // The X-ray stays out of the way until asked for, or until the status bar's marker says it
    // has something to show.
    m_connectionDock->setObjectName(QStringLiteral("connectionDock"));
    m_connectionDock->setWidget(m_connectionPanel);
    addDockWidget(Qt::RightDockWidgetArea, m_connectionDock);
    m_connectionDock->hide();
    QAction *showXray = m_connectionDock->toggleViewAction();
    showXray->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    m_ui->viewMenu->addAction(showXray);
    connect(m_status, &StreamStatus::xrayMarkerClicked, this, &MainWindow::showConnectionXray);
    connect(m_connectionDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible && m_connectionPanel->xray() != m_xray)
            m_connectionPanel->setXray(m_xray);
    });
    m_ui->dashboardLayout->insertWidget(0, m_replayBar);
    m_replayBar->hide();
    connect(m_replayBar, &ReplayBar::pauseRequested, &m_pipeline, &ClickPipeline::setReplayPaused);
    connect(m_replayBar, &ReplayBar::speedChosen, &m_pipeline, &ClickPipeline::setReplaySpeed);
    connect(m_replayBar, &ReplayBar::seekRequested, this, &MainWindow::seekReplay);
    m_ui->pages->setCurrentWidget(m_ui->welcomePage);
    m_ui->urlEdit->setCompleter(new QCompleter(new QStringListModel(this), this));

    for (const int seconds : RateChartView::kWindowChoices)
        m_windowCombo->addItem(RateChartView::windowName(seconds), seconds);
    m_windowCombo->setObjectName(QStringLiteral("chartWindowCombo"));
    m_windowCombo->setToolTip(tr("How much time the clicks/s chart shows"));
    m_ui->toolBar->addWidget(new QLabel(tr(" Chart window "), this));
    m_ui->toolBar->addWidget(m_windowCombo);
    setUpActions();

    connect(m_ui->connectButton, &QPushButton::clicked, this, &MainWindow::toggleConnection);
    connect(m_ui->urlEdit, &QLineEdit::returnPressed, this, &MainWindow::goToTypedUrl);
    connect(m_ui->optionsButton, &QPushButton::clicked, this, &MainWindow::openConnectDialog);
    connect(m_ui->connectDialogButton, &QPushButton::clicked, this, &MainWindow::openConnectDialog);
    connect(m_ui->startDemoButton, &QPushButton::clicked, this, &MainWindow::startDemo);
    connect(m_ui->recentList, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { openRecentStream(m_ui->recentList->row(item)); });
    connect(m_windowCombo, &QComboBox::currentIndexChanged, this,
            [this](int index) { setChartWindow(m_windowCombo->itemData(index).toInt()); });
    connect(m_ui->rateChart, &RateChartView::windowSecondsChanged, &m_pipeline, &ClickPipeline::setSeriesWindow);
    connect(m_ui->eventInspector->model(), &EventLogModel::pausedChanged, this, &MainWindow::setDisplayPaused);

    connect(&m_pipeline, &ClickPipeline::snapshotReady, this, &MainWindow::onSnapshot);
    connect(&m_pipeline, &ClickPipeline::stateChanged, this, &MainWindow::onStateChanged);
    connect(&m_pipeline, &ClickPipeline::failed, this, [this](const QString &message) {
        m_lastError = message;
        showMessage(message, true);
    });
    // A replay moved back counts from the start again: what the window holds of the later part goes.
    connect(&m_pipeline, &ClickPipeline::replayRestarted, this, &MainWindow::clearViews);
    connect(&m_pipeline, &ClickPipeline::recordingEnded, this, [this](const QString &path, const QString &error) {
        m_recordingPath.clear();
        showRecording(std::nullopt);
        updateActions();
        if (error.isEmpty())
            showMessage(tr("The recording ended with its stream; it is saved in %1").arg(path), false);
        else
            showMessage(tr("Recording stopped: %1. The stream goes on.").arg(error), true);
    });
    connect(&m_pipeline, &ClickPipeline::ended, this, [this](const QString &reason) { m_endReason = reason; });
    connect(&m_pipeline, &ClickPipeline::reconnectScheduled, this, [this](qint64 delayMs, const QString &reason) {
        if (m_active)
            m_status->setRetrying(delayMs, reason);
    });
    m_pipeline.setSeriesWindow(m_ui->rateChart->windowSeconds());
    // Focusable, so that after connecting the keyboard is on the dashboard, where Space pauses.
    m_ui->dashboardPage->setFocusPolicy(Qt::StrongFocus);
    restoreSettings();
    updateActions();
}

MainWindow::~MainWindow()
{
    // The panel points at the demo server, which goes with the members, before child widgets.
    delete m_publisherDock;
}

void MainWindow::setUpActions()
{
    connect(m_ui->actionExport, &QAction::triggered, this, &MainWindow::exportInteractively);
    connect(m_ui->actionOpenRecording, &QAction::triggered, this, &MainWindow::openRecordingInteractively);
    connect(m_ui->actionRecord, &QAction::triggered, this, &MainWindow::recordInteractively);
    connect(m_ui->actionStopRecording, &QAction::triggered, this, &MainWindow::stopRecording);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionConnectDialog, &QAction::triggered, this, &MainWindow::openConnectDialog);
    connect(m_ui->actionCompare, &QAction::triggered, this, &MainWindow::openCompareWindow);
    connect(m_ui->actionFocusUrl, &QAction::triggered, this, [this] {
        m_ui->urlEdit->setFocus(Qt::ShortcutFocusReason);
        m_ui->urlEdit->selectAll();
    });
    connect(m_ui->actionReconnect, &QAction::triggered, this, &MainWindow::reconnect);
    connect(m_ui->actionDisconnect, &QAction::triggered, this, &MainWindow::disconnectFromStream);
    connect(m_ui->actionReset, &QAction::triggered, this, &MainWindow::resetStatistics);
    connect(m_ui->actionStartDemo, &QAction::triggered, this, &MainWindow::startDemo);
    connect(m_ui->actionPause, &QAction::toggled, this, &MainWindow::setDisplayPaused);
    // Space pauses only where it has no other meaning: within the dashboard, not on the URL row's
    // buttons or in the start page, where it presses the focused button.
    m_ui->actionPause->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_ui->dashboardPage->addAction(m_ui->actionPause);
    connect(m_ui->actionShowComments, &QAction::toggled, &m_pipeline, &ClickPipeline::setCommentsShown);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);

    QMenu *themeMenu = m_ui->viewMenu->addMenu(tr("&Theme"));
    for (const auto theme : {ThemeSwitcher::Theme::System, ThemeSwitcher::Theme::Light, ThemeSwitcher::Theme::Dark}) {
        static const char *const names[] = {QT_TR_NOOP("Follow the &system"), QT_TR_NOOP("&Light"),
                                            QT_TR_NOOP("&Dark")};
        QAction *action = themeMenu->addAction(tr(names[int(theme)]));
        action->setCheckable(true);
        action->setChecked(theme == m_theme.theme());
        action->setData(int(theme));
        m_themeGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, theme] { setTheme(theme); });
    }
}

CountersPanel *MainWindow::countersPanel() const { return m_ui->countersPanel; }
RateChartView *MainWindow::rateChart() const { return m_ui->rateChart; }
SharePanel *MainWindow::sharePanel() const { return m_ui->sharePanel; }
RankingPanel *MainWindow::rankingPanel() const { return m_ui->rankingPanel; }
EventInspector *MainWindow::eventInspector() const { return m_ui->eventInspector; }
bool MainWindow::showsDashboard() const { return m_ui->pages->currentWidget() == m_ui->dashboardPage; }

void MainWindow::toggleConnection()
{
    if (isConnected()) {
        disconnectFromStream();
        return;
    }
    goToTypedUrl();
}

void MainWindow::goToTypedUrl()
{
    const QString typed = m_ui->urlEdit->text();
    if (const Result<void, UrlProblem> usable = checkTypedUrl(typed); !usable) {
        const UrlProblem &problem = usable.error();
        // What was typed stays, with the bad part selected; a stream that runs goes on running.
        showMessage(problem.message, true);
        m_ui->urlEdit->setFocus(Qt::OtherFocusReason);
        if (problem.length > 0)
            m_ui->urlEdit->setSelection(int(problem.start), int(problem.length));
        else
            m_ui->urlEdit->setCursorPosition(int(problem.start));   // where something is missing
        return;
    }
    const QUrl url(typed.trimmed(), QUrl::StrictMode);
    if (isConnected() && url == m_request.config.url) {
        disconnectFromStream();
        return;
    }
    connectTo(requestFor(url));
}

StreamRequest MainWindow::requestFor(const QUrl &url) const
{
    // Headers, body and mapping from the dialog stay for another path of the same server; a
    // bearer token or a POST body must never follow the user to a different one.
    const QUrl &last = m_request.config.url;
    if (url.scheme() == last.scheme() && url.host() == last.host() && url.port() == last.port()) {
        StreamRequest request = m_request;
        request.config.url = url;
        return request;
    }
    StreamRequest request;
    request.config.url = url;
    return request;
}

void MainWindow::connectTo(const QUrl &url, const QList<HttpHeader> &headers)
{
    StreamRequest request;
    request.config.url = url;
    request.config.headers = headers;
    connectTo(request);
}

void MainWindow::connectTo(const StreamRequest &request)
{
    const QUrl &url = request.config.url;
    if (const Result<void> usable = checkStreamUrl(url); !usable) {
        showMessage(usable.error(), true);   // the URL bar keeps what the user typed
        return;
    }
    m_ui->urlEdit->setText(url.toString());
    // Another stream, or the same read another way, is a new session: nothing of the previous
    // one is counted in it.
    // A recording played again starts from zero too: its clicks are the same ones, not more.
    const bool newSession = !m_request.config.url.isEmpty()
                            && (url.isLocalFile() || !opensSameStream(m_request.config, request.config)
                                || !(m_request.mapping == request.mapping));
    if (newSession)
        clearViews();
    m_request = request;
    m_lastError.clear();
    m_endReason.clear();
    m_remembered = false;
    m_active = true;
    m_state = StreamSource::State::Connecting;   // until the worker says otherwise
    m_ui->connectButton->setText(tr("&Disconnect"));
    m_ui->pages->setCurrentWidget(m_ui->dashboardPage);
    // From the URL row (the field or its buttons) the keyboard goes to the dashboard, where Space
    // pauses rather than pressing Disconnect.
    if (QWidget *focus = QApplication::focusWidget();
        focus == m_ui->urlEdit || focus == m_ui->connectButton || focus == m_ui->optionsButton)
        m_ui->dashboardPage->setFocus(Qt::OtherFocusReason);
    m_status->setConnecting(url, request.config.connectTimeoutMs);
    showMessage({}, false);
    // What the checks need of the stream (an end marker for `done`) goes to it, not into the
    // request the user edits and the recent streams keep.
    SourceConfig config = m_request.config;
    prepareForChecks(config, m_request.checks);
    m_pipeline.connectTo(config, m_request.mapping, newSession, m_request.checks);   // replaces any current stream
    updateActions();
}

void MainWindow::disconnectFromStream()
{
    if (!m_active)
        return;
    m_active = false;
    m_pipeline.disconnectStream();
    m_ui->connectButton->setText(tr("&Connect"));
    m_status->setIdle(tr("Disconnected"));
}

bool MainWindow::reconnect()
{
    if (m_request.config.url.isEmpty()) {
        showMessage(tr("Nothing to reconnect to yet: enter a stream URL first."), true);
        return false;
    }
    connectTo(m_request);
    return true;
}

void MainWindow::openRecording(const QString &path, double speed)
{
    const Result<RecordingOpener::Opened> opened = m_opener.open(path);
    if (!opened) {
        showMessage(opened.error(), true);
        return;
    }
    StreamRequest request;
    request.config.url = QUrl::fromLocalFile(QFileInfo(opened->recording).absoluteFilePath());
    request.config.replaySpeed = speed;
    m_replayBar->setRecording(path, opened->imported, opened->notes);
    connectTo(request);
}

void MainWindow::openRecordingInteractively()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open recording"), QString(), tr("Recordings and browser HAR files (*.csrec *.har);;All files (*)"));
    if (!path.isEmpty())
        openRecording(path);
}

void MainWindow::recordInteractively()
{
    const QString suggested =
        QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .filePath(QDateTime::currentDateTime().toString(QStringLiteral("'clicks-'yyyyMMdd-HHmmss'.csrec'")));
    const QString path = QFileDialog::getSaveFileName(this, tr("Record the stream"), suggested,
                                                      tr("Clickscope recordings (*.csrec);;All files (*)"));
    if (!path.isEmpty())
        (void)startRecording(path);
}

Result<void> MainWindow::startRecording(const QString &path)
{
    if (m_request.config.url.isLocalFile()) {
        const QString message = tr("A replay is not recorded again: the recording is its file");
        showMessage(message, true);
        return unexpected(message);
    }
    if (!isConnected() && !reconnect()) {
        const QString message = tr("Connect to a stream first, then record it");
        showMessage(message, true);
        return unexpected(message);
    }
    const Result<void> started = m_pipeline.startRecording(path);
    if (!started) {
        showMessage(tr("Cannot record: %1").arg(started.error()), true);
        return started;
    }
    m_recordingPath = path;
    showRecording(RecordingProgress{path, 0, 0});
    showMessage(tr("Recording into %1").arg(path), false);
    updateActions();
    return {};
}

Result<void> MainWindow::stopRecording()
{
    if (m_recordingPath.isEmpty())
        return {};
    const QString path = std::exchange(m_recordingPath, QString());
    const Result<void> saved = m_pipeline.stopRecording();
    showRecording(std::nullopt);
    updateActions();
    if (saved)
        showMessage(tr("The recording is saved in %1").arg(path), false);
    else
        showMessage(tr("The recording stopped: %1").arg(saved.error()), true);
    return saved;
}

void MainWindow::showRecording(const std::optional<RecordingProgress> &recording)
{
    m_recordingIndicator->setVisible(recording.has_value());
    if (!recording)
        return;
    m_recordingIndicator->setText(
        tr("● REC %1 · %2 · %3")
            .arg(QFileInfo(recording->path).fileName(),
                 locale().formattedDataSize(recording->fileBytes, 1, QLocale::DataSizeSIFormat),
                 ReplayBar::timeText(recording->elapsedMs * 1'000'000)));
    m_recordingIndicator->setToolTip(tr("Recording the stream into %1").arg(recording->path));
}

void MainWindow::seekReplay(qint64 positionNs) { m_pipeline.seekReplay(positionNs); }

void MainWindow::resetStatistics()
{
    m_pipeline.resetStatistics();   // older snapshots in flight are dropped from here on
    clearViews();
}

void MainWindow::showConnectionXray()
{
    m_connectionDock->show();
    m_connectionDock->raise();
}

void MainWindow::clearViews()
{
    m_ui->eventInspector->clear();
    m_xray.reset();
    m_connectionPanel->clear();
    m_status->setXray(nullptr);
    m_renderOncePaused = true;   // the zeroes show even while the display is paused
    showPauseState();
}

bool MainWindow::startDemo()
{
    if (!m_demo)
        m_demo = std::make_unique<DemoServer>();
    if (const Result<void> started = m_demo->start(); !started) {
        showMessage(started.error(), true);
        return false;
    }
    if (!m_publisherDock) {
        m_publisherPanel = new PublisherPanel(m_demo.get(), this);
        m_publisherDock = new QDockWidget(tr("Publisher"), this);
        m_publisherDock->setObjectName(QStringLiteral("publisherDock"));
        m_publisherDock->setWidget(m_publisherPanel);
        addDockWidget(Qt::RightDockWidgetArea, m_publisherDock);
        m_ui->viewMenu->addAction(m_publisherDock->toggleViewAction());
        connect(m_publisherPanel, &PublisherPanel::stopRequested, this, &MainWindow::stopDemo);
    }
    connectTo(m_demo->url(QStringLiteral("/events")));
    return true;
}

void MainWindow::stopDemo()
{
    if (!m_demo || !m_demo->isRunning())
        return;
    if (isDemoUrl(m_request.config.url))
        disconnectFromStream();
    m_demo->stop();
}

bool MainWindow::isDemoUrl(const QUrl &url) const
{
    return m_demo && m_demo->isRunning() && url.host() == m_demo->baseUrl().host()
           && url.port() == m_demo->baseUrl().port();
}

void MainWindow::setTheme(ThemeSwitcher::Theme theme)
{
    m_themePreference = theme;
    setThemeForThisRun(theme);
}

void MainWindow::setThemeForThisRun(ThemeSwitcher::Theme theme)
{
    m_theme.setTheme(theme);
    for (QAction *action : m_themeGroup->actions())
        action->setChecked(action->data().toInt() == int(theme));
}

void MainWindow::setDisplayPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    m_ui->actionPause->setChecked(paused);
    m_ui->eventInspector->setPaused(paused);
    showPauseState();
    if (!paused && m_snapshot)
        render(m_snapshot);   // straight to the present: nothing was lost, only not drawn
}

void MainWindow::showPauseState()
{
    m_status->setPausedWaiting(m_paused ? qint64(m_ui->eventInspector->model()->pendingCount()) : -1);
}

void MainWindow::updateActions()
{
    const bool hasData = m_snapshot && (m_snapshot->totals.events > 0 || m_snapshot->totals.bytes > 0);
    m_ui->actionReconnect->setEnabled(!m_request.config.url.isEmpty());
    m_ui->actionRecord->setEnabled(!m_request.config.url.isEmpty() && !m_request.config.url.isLocalFile()
                                   && m_recordingPath.isEmpty());
    m_ui->actionStopRecording->setEnabled(!m_recordingPath.isEmpty());
    m_ui->actionReset->setEnabled(hasData);
    m_ui->actionExport->setEnabled(hasData);
}

void MainWindow::setChartWindow(int seconds)
{
    m_ui->rateChart->setWindowSeconds(seconds);   // tells the pipeline through windowSecondsChanged
    const int index = m_windowCombo->findData(m_ui->rateChart->windowSeconds());
    if (index >= 0)
        m_windowCombo->setCurrentIndex(index);
}

void MainWindow::onSnapshot(const DashboardSnapshotPtr &snapshot)
{
    if (!snapshot)
        return;
    m_snapshot = snapshot;
    // The transport is not data: pausing the display does not hold it either.
    m_replayBar->setVisible(snapshot->replay.has_value());
    if (!m_recordingPath.isEmpty() && snapshot->recording)
        showRecording(snapshot->recording);
    if (snapshot->replay)
        m_replayBar->showPosition(*snapshot->replay);
    // The X-ray is about the connection, not the counts: pausing the display does not hold it.
    if (snapshot->xray) {
        m_xray = snapshot->xray;
        m_status->setXray(m_xray.get());
        // A hidden panel is brought up to date when it is shown, not every second.
        if (m_connectionDock->isVisible())
            m_connectionPanel->setXray(m_xray);
    }
    m_ui->eventInspector->applySnapshot(*snapshot);   // it buffers while paused
    m_status->applySnapshot(*snapshot);
    if (m_paused)
        showPauseState();
    updateActions();
    if (!m_paused || std::exchange(m_renderOncePaused, false))
        render(snapshot);
    else if (m_ui->rateChart->awaitsData())
        m_ui->rateChart->applySnapshot(*snapshot);   // a window chosen while paused is not left empty
}

void MainWindow::render(const DashboardSnapshotPtr &snapshot)
{
    m_shown = snapshot;
    m_ui->countersPanel->applySnapshot(*snapshot);
    m_ui->rateChart->applySnapshot(*snapshot);
    m_ui->sharePanel->chart()->applySnapshot(snapshot);
    m_ui->rankingPanel->applySnapshot(*snapshot);
}

void MainWindow::onStateChanged(StreamSource::State state)
{
    m_state = state;
    if (!m_active)
        return;   // the closing of a stream the user disconnected: "Disconnected" stays
    switch (state) {
    case StreamSource::State::Connecting:
        m_ui->connectButton->setText(tr("&Disconnect"));
        m_status->setConnecting(m_request.config.url, m_request.config.connectTimeoutMs);
        break;
    case StreamSource::State::Open:
        // Only a stream that opened is worth offering again (once per request, not at every
        // reconnection of a flapping server); the demo's port changes every start.
        // Recordings are opened from files, and an imported HAR's lives only as long as the window.
        if (!std::exchange(m_remembered, true) && !isDemoUrl(m_request.config.url)
            && !m_request.config.url.isLocalFile()) {
            RecentStreams::remember(m_request);
            showRecentStreams();
        }
        m_ui->connectButton->setText(tr("&Disconnect"));
        m_status->setOpen(m_request.config.url);
        m_lastError.clear();
        showMessage({}, false);
        break;
    case StreamSource::State::Closed:
        m_ui->connectButton->setText(tr("&Connect"));
        m_status->setClosed(m_lastError, m_endReason);
        break;
    }
}

void MainWindow::showMessage(const QString &text, bool isError)
{
    // The line stays whether or not it says something, so that a message never moves the dashboard.
    m_ui->messageLabel->setMessage(text);
    m_ui->messageLabel->setStyleSheet(isError ? QStringLiteral("color: #c0392b; font-weight: bold;") : QString());
}

namespace {

// The publisher's other transport for the same clicks: /events[/channel] over SSE and
// /ws[/channel] over WebSocket; empty for any other URL.
QString otherTransportOf(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    const QString path = url.path();
    QUrl twin = url;
    twin.setQuery(QString());
    if ((scheme == u"http" || scheme == u"https") && (path == u"/events" || path.startsWith(u"/events/"))) {
        twin.setScheme(scheme == u"https" ? QStringLiteral("wss") : QStringLiteral("ws"));
        twin.setPath(QStringLiteral("/ws") + path.mid(7));
    } else if ((scheme == u"ws" || scheme == u"wss") && (path == u"/ws" || path.startsWith(u"/ws/"))) {
        twin.setScheme(scheme == u"wss" ? QStringLiteral("https") : QStringLiteral("http"));
        twin.setPath(QStringLiteral("/events") + path.mid(3));
    } else {
        return {};
    }
    return twin.toString();
}

}   // namespace

CompareWindow *MainWindow::openCompareWindow()
{
    if (!m_compareWindow) {
        m_compareWindow = new CompareWindow(this);
        m_compareWindow->resize(size());   // as large as the dashboard it stands beside
    }
    if (!m_compareWindow->isComparing()) {
        m_compareWindow->setFirst(m_request);
        m_compareWindow->setSecondUrl(otherTransportOf(m_request.config.url));
    }
    m_compareWindow->show();
    m_compareWindow->raise();
    m_compareWindow->activateWindow();
    return m_compareWindow;
}

void MainWindow::openConnectDialog()
{
    StreamRequest request = m_request;
    if (const QString typed = m_ui->urlEdit->text().trimmed(); !typed.isEmpty())
        request.config.url = QUrl(typed, QUrl::StrictMode);
    openConnectDialogFor(request);
}

void MainWindow::openConnectDialogFor(const StreamRequest &request)
{
    ConnectDialog dialog(this);
    dialog.setRecentUrls(recentUrls());
    dialog.setRequest(request);
    if (m_snapshot) {
        // The newest event the inspector holds is the best sample of what the stream sends.
        const EventLogModel *log = m_ui->eventInspector->model();
        for (int row = log->rowCount() - 1; row >= 0; --row) {
            const QModelIndex type = log->index(row, EventLogModel::TypeColumn);
            if (!log->isComment(row)) {
                dialog.setSample(type.data().toString().toUtf8(), log->fullData(row));
                break;
            }
        }
    }
    if (dialog.exec() == QDialog::Accepted)
        connectTo(dialog.request());
}

QStringList MainWindow::recentUrls() const
{
    QStringList urls;
    for (const RecentStreams::Entry &entry : RecentStreams::load())
        urls.append(entry.request.config.url.toString());
    return urls;
}

void MainWindow::showRecentStreams()
{
    const QList<RecentStreams::Entry> entries = RecentStreams::load();
    QStringList urls;
    m_ui->recentList->clear();
    for (const RecentStreams::Entry &entry : entries) {
        urls.append(entry.request.config.url.toString());
        m_ui->recentList->addItem(entry.label());
    }
    if (auto *model = qobject_cast<QStringListModel *>(m_ui->urlEdit->completer()->model()))
        model->setStringList(urls);
    m_ui->recentBox->setVisible(!entries.isEmpty());
}

void MainWindow::openRecentStream(int index)
{
    const QList<RecentStreams::Entry> entries = RecentStreams::load();
    if (index < 0 || index >= entries.size())
        return;
    const RecentStreams::Entry &entry = entries.at(index);
    if (entry.missingCredentials.isEmpty()) {
        connectTo(entry.request);
        return;
    }
    // Credentials are not kept on disk: the dialog asks for them, with everything else filled in.
    showMessage(
        tr("Give %1 again: credentials are not stored.").arg(entry.missingCredentials.join(QStringLiteral(", "))),
        true);
    openConnectDialogFor(entry.request);
}

Result<QStringList> MainWindow::exportTo(const QString &directory)
{
    // One moment for everything: the CSVs and report.json come from the same capture, and the
    // window shows it before its picture is taken (unless the display is paused, when the
    // pictures keep what the user froze).
    const ClickPipeline::Capture capture = m_pipeline.capture(kReportTopRows);
    if (!capture.snapshot || (capture.snapshot->totals.events == 0 && capture.snapshot->totals.bytes == 0))
        return unexpected(tr("Nothing to export yet: no event has arrived."));
    if (!m_paused)
        render(capture.snapshot);
    DashboardExport::Contents contents;
    contents.snapshot = capture.snapshot.get();
    contents.report = capture.report;
    contents.images = {{QStringLiteral("dashboard.png"), this},
                       {QStringLiteral("rate-chart.png"), m_ui->rateChart},
                       {QStringLiteral("share-chart.png"), m_ui->sharePanel->chart()}};
    return DashboardExport::write(directory, contents);
}

void MainWindow::exportInteractively()
{
    QSettings settings;
    const QString last = settings.value(Key::exportFolder, QDir::homePath()).toString();
    const QString directory = QFileDialog::getExistingDirectory(this, tr("Export to folder"), last);
    if (directory.isEmpty())
        return;
    const Result<QStringList> files = exportTo(directory);
    if (!files) {
        showMessage(files.error(), true);
        return;
    }
    settings.setValue(Key::exportFolder, directory);
    showMessage({}, false);
    confirmExport(directory, files->size());
}

void MainWindow::confirmExport(const QString &directory, qsizetype fileCount)
{
    auto *box =
        new QMessageBox(QMessageBox::Information, tr("Exported"),
                        tr("%1 files were written to %2").arg(fileCount).arg(QDir::toNativeSeparators(directory)),
                        QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("exportConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *open = box->addButton(tr("&Open folder"), QMessageBox::ActionRole);
    connect(open, &QPushButton::clicked, this,
            [directory] { QDesktopServices::openUrl(QUrl::fromLocalFile(directory)); });
    box->open();   // not modal to the stream: the dashboard goes on updating behind it
}

QString MainWindow::aboutText()
{
    return tr("<h3>Clickscope %1</h3>"
              "<p>A live dashboard for click streams: Server-Sent Events and WebSocket.</p>"
              "<p>Built with Qt %2 (running on Qt %3).</p>"
              "<p>Clickscope's source is under the MIT License. This program links Qt Charts and "
              "Qt HTTP Server, which are licensed under the GNU GPL v3, and the rest of Qt under "
              "the GNU LGPL v3; as built, it is distributed under the terms of the GPL v3.</p>")
        .arg(QApplication::applicationVersion(), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()));
}

void MainWindow::showAbout() { QMessageBox::about(this, tr("About Clickscope"), aboutText()); }

void MainWindow::restoreSettings()
{
    const QSettings settings;
    restoreGeometry(settings.value(Key::geometry).toByteArray());
    restoreState(settings.value(Key::state).toByteArray());
    m_ui->mainSplitter->restoreState(settings.value(Key::mainSplitter).toByteArray());
    m_ui->chartsSplitter->restoreState(settings.value(Key::chartsSplitter).toByteArray());
    setChartWindow(settings.value(Key::chartWindow, RateChartView::kDefaultWindowSeconds).toInt());
    m_ui->sharePanel->setSubject(settings.value(Key::shareSubject, ShareChartView::kTopLinks).toInt());
    m_ui->sharePanel->setStyle(settings.value(Key::shareStyle, 0).toInt() == 1 ? ShareChartView::Style::Donut
                                                                               : ShareChartView::Style::Bars);
    m_ui->actionShowComments->setChecked(settings.value(Key::comments, false).toBool());
    const auto theme = ThemeSwitcher::fromName(settings.value(Key::theme).toString());
    if (theme && *theme != ThemeSwitcher::Theme::System)
        setTheme(*theme);
    showRecentStreams();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(Key::geometry, saveGeometry());
    settings.setValue(Key::state, saveState());
    settings.setValue(Key::mainSplitter, m_ui->mainSplitter->saveState());
    settings.setValue(Key::chartsSplitter, m_ui->chartsSplitter->saveState());
    settings.setValue(Key::chartWindow, m_ui->rateChart->windowSeconds());
    settings.setValue(Key::shareSubject, m_ui->sharePanel->chart()->subject());
    settings.setValue(Key::shareStyle, int(m_ui->sharePanel->chart()->style()));
    settings.setValue(Key::comments, m_ui->actionShowComments->isChecked());
    settings.setValue(Key::theme, ThemeSwitcher::name(m_themePreference));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

}   // namespace Clickscope
