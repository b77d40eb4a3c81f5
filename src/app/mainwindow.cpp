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
#include "app/streamoverview.h"
#include "app/streamsidebar.h"
#include "app/streamstatus.h"
#include "app/workspace.h"
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
#include <QSignalBlocker>
#include <QStandardPaths>
#include <QStringListModel>
#include <QUuid>

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
const QString lastWorkspace = QStringLiteral("workspace/last");
}   // namespace Key

}   // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<Ui::MainWindow>())
    , m_theme(this)
    , m_sidebar(new StreamSidebar(&m_streams, this))
    , m_streamsDock(new QDockWidget(tr("Streams"), this))
    , m_overview(new StreamOverview(&m_streams, this))
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
        if (visible && m_connectionPanel->xray() != m_current->xray)
            m_connectionPanel->setXray(m_current->xray);
    });
    m_ui->dashboardLayout->insertWidget(0, m_replayBar);
    m_replayBar->hide();
    connect(m_replayBar, &ReplayBar::pauseRequested, this,
            [this](bool paused) { m_current->pipeline().setReplayPaused(paused); });
    connect(m_replayBar, &ReplayBar::speedChosen, this,
            [this](double speed) { m_current->pipeline().setReplaySpeed(speed); });
    connect(m_replayBar, &ReplayBar::seekRequested, this, &MainWindow::seekReplay);
    m_ui->pages->addWidget(m_overview);
    // Two rows selected in the overview: Stream ▸ Compare takes them.
    m_overview->addAction(m_ui->actionCompare);
    m_overview->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_overview, &StreamOverview::streamActivated, this, &MainWindow::showStream);
    // The stream list stays out of the way of a single stream: it shows with the second.
    m_streamsDock->setObjectName(QStringLiteral("streamsDock"));
    m_streamsDock->setWidget(m_sidebar);
    addDockWidget(Qt::LeftDockWidgetArea, m_streamsDock);
    m_streamsDock->hide();
    connect(m_sidebar, &StreamSidebar::streamChosen, this, &MainWindow::showStream);
    m_displayTick.setSingleShot(true);
    connect(&m_displayTick, &QTimer::timeout, this, &MainWindow::displayTick);
    m_listClock.setInterval(1000);
    connect(&m_listClock, &QTimer::timeout, &m_streams, &StreamList::refresh);
    m_listClock.start();
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
    connect(m_ui->rateChart, &RateChartView::windowSecondsChanged, this, [this](int seconds) {
        for (int row = 0; row < m_streams.size(); ++row)
            m_streams.at(row)->pipeline().setSeriesWindow(seconds);
    });
    connect(m_ui->eventInspector, &EventInspector::pausedChanged, this, &MainWindow::setDisplayPaused);

    m_current = m_streams.append();
    adopt(m_current);
    m_ui->eventInspector->setLog(&m_current->log());
    m_sidebar->setCurrentRow(0);
    // Focusable, so that after connecting the keyboard is on the dashboard, where Space pauses.
    m_ui->dashboardPage->setFocusPolicy(Qt::StrongFocus);
    restoreSettings();
    updateActions();
}

MainWindow::~MainWindow()
{
    // The panel points at the demo server, which goes with the members, before child widgets.
    delete m_publisherDock;
    // The inspector shows a stream's log, which goes with the streams, before child widgets.
    m_ui->eventInspector->setLog(nullptr);
}

void MainWindow::adopt(WatchedStream *stream)
{
    ClickPipeline *pipeline = &stream->pipeline();
    pipeline->setSeriesWindow(m_ui->rateChart->windowSeconds());
    pipeline->setCommentsShown(m_ui->actionShowComments->isChecked());
    stream->log().setPaused(m_paused);
    // The connections go with the pipeline, and so with the stream.
    connect(pipeline, &ClickPipeline::snapshotReady, this,
            [this, stream](const DashboardSnapshotPtr &snapshot) { onSnapshot(stream, snapshot); });
    connect(pipeline, &ClickPipeline::stateChanged, this,
            [this, stream](StreamSource::State state) { onStateChanged(stream, state); });
    connect(pipeline, &ClickPipeline::failed, this,
            [this, stream](const QString &message) { onFailed(stream, message); });
    // A replay moved back counts from the start again: what the window holds of the later part goes.
    connect(pipeline, &ClickPipeline::replayRestarted, this, [this, stream] { clearViews(stream); });
    connect(pipeline, &ClickPipeline::recordingEnded, this,
            [this, stream](const QString &path, const QString &error) { onRecordingEnded(stream, path, error); });
    connect(pipeline, &ClickPipeline::ended, this, [stream](const QString &reason) { stream->endReason = reason; });
    connect(pipeline, &ClickPipeline::reconnectScheduled, this, [this, stream](qint64 delayMs, const QString &reason) {
        if (!stream->active)
            return;
        stream->retryAtMs = QDateTime::currentMSecsSinceEpoch() + delayMs;
        stream->retryReason = reason;
        m_streams.markChanged(stream);
        scheduleDisplayTick();
        if (stream == m_current)
            m_status->setRetrying(delayMs, reason);
    });
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
    connect(m_ui->actionShowComments, &QAction::toggled, this, [this](bool shown) {
        for (int row = 0; row < m_streams.size(); ++row)
            m_streams.at(row)->pipeline().setCommentsShown(shown);
    });
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);

    // Several streams: the Stream menu's first part, and the buttons above the stream list.
    const auto streamAction = [this](const QString &text, const QString &button, const QString &tip,
                                     const QKeySequence &shortcut, auto slot) {
        auto *action = new QAction(text, this);
        action->setIconText(button);
        action->setToolTip(tip);
        action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    QAction *overview = streamAction(tr("&Overview of all streams"), tr("Overview"), tr("Every stream, a row each"),
                                     QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), [this] { showOverview(); });
    overview->setObjectName(QStringLiteral("actionOverview"));
    QAction *add = streamAction(tr("&Add a stream"), QStringLiteral("+"), tr("Add a stream (Ctrl+T)"),
                                QKeySequence(Qt::CTRL | Qt::Key_T), [this] { addStream(); });
    add->setObjectName(QStringLiteral("actionAddStream"));
    QAction *remove =
        streamAction(tr("Re&move this stream"), QStringLiteral("−"), tr("Disconnect and remove the stream shown"), {},
                     [this] { removeStream(targetStream()); });
    remove->setObjectName(QStringLiteral("actionRemoveStream"));
    QAction *rename = streamAction(tr("Re&name this stream…"), tr("Rename"), tr("Rename the stream shown"), {}, [this] {
        m_streamsDock->show();
        m_sidebar->editName(m_streams.rowOf(targetStream()));
    });
    QAction *up =
        streamAction(tr("Move stream &up"), QStringLiteral("↑"), tr("Move the stream up the list"),
                     QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Up), [this] { moveStream(targetStream(), -1); });
    up->setObjectName(QStringLiteral("actionMoveStreamUp"));
    QAction *down =
        streamAction(tr("Move stream do&wn"), QStringLiteral("↓"), tr("Move the stream down the list"),
                     QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Down), [this] { moveStream(targetStream(), 1); });
    down->setObjectName(QStringLiteral("actionMoveStreamDown"));
    auto *openWorkspace = new QAction(tr("Open &workspace…"), this);
    openWorkspace->setObjectName(QStringLiteral("actionOpenWorkspace"));
    connect(openWorkspace, &QAction::triggered, this, &MainWindow::openWorkspaceInteractively);
    auto *saveWorkspace = new QAction(tr("&Save workspace"), this);
    saveWorkspace->setObjectName(QStringLiteral("actionSaveWorkspace"));
    saveWorkspace->setShortcut(QKeySequence::Save);
    connect(saveWorkspace, &QAction::triggered, this, [this] { saveWorkspaceInteractively(false); });
    auto *saveWorkspaceAs = new QAction(tr("Save workspace &as…"), this);
    connect(saveWorkspaceAs, &QAction::triggered, this, [this] { saveWorkspaceInteractively(true); });
    QAction *beforeRecording = m_ui->fileMenu->actions().value(0);
    m_ui->fileMenu->insertActions(beforeRecording, {openWorkspace, saveWorkspace, saveWorkspaceAs});
    m_ui->fileMenu->insertSeparator(beforeRecording);

    QAction *first = m_ui->streamMenu->actions().value(0);
    m_ui->streamMenu->insertActions(first, {add, remove, rename, up, down});
    m_ui->streamMenu->insertSeparator(first);
    for (QAction *action : {overview, add, remove, up, down})
        m_sidebar->addButton(action);
    QAction *showStreams = m_streamsDock->toggleViewAction();
    showStreams->setText(tr("&Stream list"));
    m_ui->viewMenu->insertActions(m_ui->viewMenu->actions().value(0), {overview, showStreams});

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
    const QUrl url = streamUrlFromText(typed.trimmed());
    if (isConnected() && url == m_current->request.config.url) {
        disconnectFromStream();
        return;
    }
    if (url == m_current->request.config.url && !m_current->missingCredentials.isEmpty()) {
        askForCredentials(m_current->missingCredentials, m_current->request);
        return;
    }
    connectTo(requestFor(url));
}

StreamRequest MainWindow::requestFor(const QUrl &url) const
{
    // Headers, body and mapping from the dialog stay for another path of the same server; a
    // bearer token or a POST body must never follow the user to a different one.
    const QUrl &last = m_current->request.config.url;
    if (url.scheme() == last.scheme() && url.host() == last.host() && url.port() == last.port()) {
        StreamRequest request = m_current->request;
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

void MainWindow::connectTo(const StreamRequest &request) { connectStream(m_current, request); }

void MainWindow::connectStream(WatchedStream *stream, const StreamRequest &request)
{
    const bool shown = stream == m_current;
    const QUrl &url = request.config.url;
    if (const Result<void> usable = checkStreamUrl(url); !usable) {
        stream->lastError = usable.error();
        if (shown)
            showMessage(usable.error(), true);   // the URL bar keeps what the user typed
        return;
    }
    if (shown)
        m_ui->urlEdit->setText(streamUrlText(url));
    // Another stream, or the same read another way, is a new session: nothing of the previous
    // one is counted in it.
    // A recording played again starts from zero too: its clicks are the same ones, not more.
    const StreamRequest &previous = stream->request;
    const bool newSession = !previous.config.url.isEmpty()
                            && (url.isLocalFile() || !opensSameStream(previous.config, request.config)
                                || !(previous.mapping == request.mapping));
    if (newSession)
        clearViews(stream);
    stream->replaying.reset();   // openRecording() says what it plays, after this
    stream->request = request;
    stream->lastError.clear();
    stream->endReason.clear();
    stream->retryAtMs = 0;
    stream->remembered = false;
    stream->missingCredentials.clear();
    stream->active = true;
    stream->state = StreamSource::State::Connecting;   // until the worker says otherwise
    m_streams.markChanged(stream);
    scheduleDisplayTick();
    SourceConfig config = request.config;
    // What the checks need of the stream (an end marker for `done`) goes to it, not into the
    // request the user edits and the recent streams keep.
    prepareForChecks(config, request.checks);
    // Replaces any stream this one had.
    stream->pipeline().connectTo(config, request.mapping, newSession, request.checks);
    if (!shown)
        return;
    m_ui->connectButton->setText(tr("&Disconnect"));
    m_ui->pages->setCurrentWidget(m_ui->dashboardPage);
    // From the URL row (the field or its buttons) the keyboard goes to the dashboard, where Space
    // pauses rather than pressing Disconnect.
    if (QWidget *focus = QApplication::focusWidget();
        focus == m_ui->urlEdit || focus == m_ui->connectButton || focus == m_ui->optionsButton)
        m_ui->dashboardPage->setFocus(Qt::OtherFocusReason);
    m_status->setConnecting(url, request.config.connectTimeoutMs);
    showMessage({}, false);
    updateActions();
}

void MainWindow::disconnectFromStream() { disconnectStream(m_current); }

void MainWindow::disconnectStream(WatchedStream *stream)
{
    if (!stream->active)
        return;
    stream->active = false;
    stream->retryAtMs = 0;
    stream->pipeline().disconnectStream();
    m_streams.markChanged(stream);
    scheduleDisplayTick();
    if (stream != m_current)
        return;
    m_ui->connectButton->setText(tr("&Connect"));
    m_status->setIdle(tr("Disconnected"));
}

bool MainWindow::reconnect()
{
    if (m_current->request.config.url.isEmpty()) {
        showMessage(tr("Nothing to reconnect to yet: enter a stream URL first."), true);
        return false;
    }
    if (!m_current->missingCredentials.isEmpty()) {
        askForCredentials(m_current->missingCredentials, m_current->request);
        return false;
    }
    connectTo(m_current->request);
    return true;
}

void MainWindow::askForCredentials(const QStringList &missing, const StreamRequest &request)
{
    // Credentials are not kept on disk: the dialog asks for them, with everything else filled in.
    showMessage(tr("Give %1 again: credentials are not stored.").arg(missing.join(QStringLiteral(", "))), true);
    openConnectDialogFor(request);
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
    m_current->replaying = *opened;
    m_current->replayingPath = path;
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
    if (m_current->request.config.url.isLocalFile()) {
        const QString message = tr("A replay is not recorded again: the recording is its file");
        showMessage(message, true);
        return unexpected(message);
    }
    if (!isConnected() && !reconnect()) {
        const QString message = tr("Connect to a stream first, then record it");
        showMessage(message, true);
        return unexpected(message);
    }
    const Result<void> started = m_current->pipeline().startRecording(path);
    if (!started) {
        showMessage(tr("Cannot record: %1").arg(started.error()), true);
        return started;
    }
    m_current->recordingPath = path;
    showRecording(RecordingProgress{path, 0, 0});
    showMessage(tr("Recording into %1").arg(path), false);
    updateActions();
    return {};
}

Result<void> MainWindow::stopRecording()
{
    if (m_current->recordingPath.isEmpty())
        return {};
    const QString path = std::exchange(m_current->recordingPath, QString());
    const Result<void> saved = m_current->pipeline().stopRecording();
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

void MainWindow::seekReplay(qint64 positionNs) { m_current->pipeline().seekReplay(positionNs); }

void MainWindow::resetStatistics()
{
    m_current->pipeline().resetStatistics();   // older snapshots in flight are dropped from here on
    clearViews(m_current);
}

void MainWindow::showConnectionXray()
{
    m_connectionDock->show();
    m_connectionDock->raise();
}

void MainWindow::clearViews(WatchedStream *stream)
{
    stream->arrived.reset();   // counted before the fresh start
    stream->unlogged.clear();
    stream->xray.reset();
    if (stream != m_current) {
        stream->log().clear();
        return;
    }
    m_ui->eventInspector->clear();
    m_connectionPanel->clear();
    m_status->setXray(nullptr);
    m_xrayShown.reset();
    m_renderOncePaused = true;   // the zeroes show even while the display is paused
    showPauseState();
}

WatchedStream *MainWindow::addStream()
{
    WatchedStream *stream = m_streams.append();
    if (!stream) {
        showMessage(tr("A window watches at most %1 streams: remove one first.").arg(StreamList::kMaxStreams), true);
        return nullptr;
    }
    adopt(stream);
    showStreamList();
    showStream(m_streams.rowOf(stream));
    m_ui->urlEdit->setFocus(Qt::OtherFocusReason);
    return stream;
}

void MainWindow::showStreamList()
{
    if (m_streamsDock->isVisible())
        return;
    m_streamsDock->show();
    // As wide as the names need, not a third of a laptop's window, which the dashboard needs.
    const int names = fontMetrics().horizontalAdvance(QStringLiteral("127.0.0.1:00000/events")) + 30;
    resizeDocks({m_streamsDock}, {std::max(names, m_sidebar->sizeHint().width())}, Qt::Horizontal);
}

WatchedStream *MainWindow::openStream(const StreamRequest &request)
{
    WatchedStream *stream = addStream();
    if (stream)
        connectTo(request);
    return stream;
}

void MainWindow::removeStream(WatchedStream *stream)
{
    const int row = m_streams.rowOf(stream);
    if (row < 0)
        return;
    const bool wasCurrent = stream == m_current;
    std::unique_ptr<WatchedStream> taken;
    {
        // The list moves its current line off the one going: that is not the user's choice.
        const QSignalBlocker blocker(m_sidebar->listView()->selectionModel());
        taken = m_streams.take(row);
    }
    if (m_streams.size() == 0) {
        m_streams.append();
        adopt(m_streams.at(0));
    }
    if (wasCurrent) {
        m_current = nullptr;
        showStream(std::min(row, m_streams.size() - 1));
    } else {
        m_sidebar->setCurrentRow(showsOverview() ? -1 : m_streams.rowOf(m_current));
    }
    // Destroying the stream (here) stops its worker thread, which closes its socket and recording.
}

WatchedStream *MainWindow::targetStream() const
{
    // On the overview, the line selected there; else the stream on the dashboard.
    if (showsOverview()) {
        if (const QList<int> rows = m_overview->selectedRows(); rows.size() == 1)
            return m_streams.at(rows.first());
    }
    return m_current;
}

void MainWindow::showStream(int row)
{
    WatchedStream *stream = m_streams.at(row);
    if (!stream)
        return;
    const bool same = stream == m_current;
    m_current = stream;
    m_sidebar->setCurrentRow(row);
    if (!same) {
        m_ui->eventInspector->setLog(&stream->log());
        m_status->setXray(nullptr);
        m_xrayShown.reset();
        m_connectionPanel->clear();
        m_renderOncePaused = true;   // its own numbers, even while the display is paused
        showMessage(stream->lastError, !stream->lastError.isEmpty());
    }
    showCurrentState();
    m_ui->pages->setCurrentWidget(stream->request.config.url.isEmpty() ? m_ui->welcomePage : m_ui->dashboardPage);
    if (!same) {
        if (stream->snapshot) {
            m_currentChanged = true;
            displayTick();
        } else {
            // Nothing of the stream shown before stays on the dashboard.
            auto blank = std::make_shared<DashboardSnapshot>();
            blank->seriesWindowSeconds = m_ui->rateChart->windowSeconds();
            blank->seriesBucketSeconds =
                ClickPipeline::bucketSecondsFor(blank->seriesWindowSeconds, ClickPipeline::kDefaultMaxSeriesPoints);
            render(blank);
            m_renderOncePaused = false;
        }
    }
    updateActions();
}

void MainWindow::showCurrentState()
{
    const WatchedStream &stream = *m_current;
    const SourceConfig &config = stream.request.config;
    m_ui->urlEdit->setText(streamUrlText(config.url));
    m_ui->connectButton->setText(stream.isConnected() ? tr("&Disconnect") : tr("&Connect"));
    if (stream.replaying)
        m_replayBar->setRecording(stream.replayingPath, stream.replaying->imported, stream.replaying->notes);
    m_replayBar->setVisible(stream.snapshot && stream.snapshot->replay);
    m_status->forgetRates();
    m_status->setUrl(config.url);
    if (!stream.active) {
        m_status->setIdle(config.url.isEmpty() ? QString() : tr("Disconnected"));
    } else if (stream.state == StreamSource::State::Open) {
        m_status->setOpen(config.url);
    } else if (stream.state == StreamSource::State::Closed) {
        m_status->setClosed(stream.lastError, stream.endReason);
    } else if (const qint64 wait = stream.retryAtMs - QDateTime::currentMSecsSinceEpoch();
               stream.retryAtMs && wait > 0) {
        m_status->setRetrying(wait, stream.retryReason);
    } else {
        m_status->setConnecting(config.url, config.connectTimeoutMs);
    }
    if (stream.recordingPath.isEmpty())
        showRecording(std::nullopt);
    else
        showRecording(stream.snapshot && stream.snapshot->recording ? *stream.snapshot->recording
                                                                    : RecordingProgress{stream.recordingPath, 0, 0});
    showPauseState();
}

void MainWindow::showOverview()
{
    m_streams.refresh();
    m_ui->pages->setCurrentWidget(m_overview);
    m_sidebar->setCurrentRow(-1);
    m_overview->setFocus(Qt::OtherFocusReason);
}

bool MainWindow::showsOverview() const { return m_ui->pages->currentWidget() == m_overview; }

void MainWindow::moveStream(WatchedStream *stream, int by)
{
    const int row = m_streams.rowOf(stream);
    if (!m_streams.move(row, row + by))
        return;
    if (showsOverview())
        m_overview->selectRow(row + by);
    else
        m_sidebar->setCurrentRow(m_streams.rowOf(m_current));
}

Result<void> MainWindow::saveWorkspace(const QString &path)
{
    Workspace workspace;
    for (int row = 0; row < m_streams.size(); ++row) {
        WatchedStream *stream = m_streams.at(row);
        // A stream never given a URL is nothing to restore; a replay is a file the user opens,
        // and an imported HAR's recording lives only as long as this window.
        if (stream->request.config.url.isEmpty() || stream->request.config.url.isLocalFile())
            continue;
        if (stream == m_current)
            workspace.current = int(workspace.streams.size());
        Workspace::Stream saved{stream->givenName(), SavedRequest::withoutSecrets(stream->request), stream->active, {}};
        // A stream restored without its secrets still needs them when the file is opened again.
        for (const QString &missing : std::as_const(stream->missingCredentials)) {
            if (!saved.saved.missingCredentials.contains(missing))
                saved.saved.missingCredentials.append(missing);
        }
        if (const QByteArray secrets = SavedRequest::secretsOf(stream->request); !secrets.isEmpty()) {
            if (stream->secretsKey.isEmpty())
                stream->secretsKey = QUuid::createUuid().toString(QUuid::WithoutBraces);
            m_secrets.write(stream->secretsKey, secrets, [this, name = stream->name()](const QString &error) {
                if (!error.isEmpty())
                    showMessage(
                        tr("The workspace keeps no secret of %1: %2. Opening it will ask for them.").arg(name, error),
                        true);
            });
        }
        saved.secretsKey = stream->secretsKey;
        workspace.streams.append(saved);
    }
    if (workspace.streams.isEmpty()) {
        const QString message = tr("Nothing to save in a workspace yet: connect to a stream first.");
        showMessage(message, true);
        return unexpected(message);
    }
    workspace.overview = showsOverview();
    workspace.chartWindowSeconds = m_ui->rateChart->windowSeconds();
    workspace.geometry = saveGeometry();
    workspace.windowState = saveState();
    workspace.mainSplitter = m_ui->mainSplitter->saveState();
    workspace.chartsSplitter = m_ui->chartsSplitter->saveState();
    if (Result<void> saved = workspace.save(path); !saved) {
        showMessage(saved.error(), true);
        return saved;
    }
    m_workspacePath = path;
    QSettings().setValue(Key::lastWorkspace, path);
    setWindowFilePath(path);
    return {};
}

Result<void> MainWindow::openWorkspace(const QString &path)
{
    Result<Workspace> loaded = Workspace::load(path, StreamList::kMaxStreams);
    if (!loaded) {
        showMessage(loaded.error(), true);
        return unexpected(loaded.error());
    }
    while (m_streams.size() > 1)
        removeStream(m_streams.at(m_streams.size() - 1));
    removeStream(m_streams.at(0));   // the window starts again from one new stream
    if (!loaded->geometry.isEmpty())
        restoreGeometry(loaded->geometry);
    if (!loaded->windowState.isEmpty())
        restoreState(loaded->windowState);
    if (!loaded->mainSplitter.isEmpty())
        m_ui->mainSplitter->restoreState(loaded->mainSplitter);
    if (!loaded->chartsSplitter.isEmpty())
        m_ui->chartsSplitter->restoreState(loaded->chartsSplitter);
    if (loaded->chartWindowSeconds > 0)
        setChartWindow(loaded->chartWindowSeconds);

    QStringList waiting;
    for (qsizetype i = 0; i < loaded->streams.size(); ++i) {
        const Workspace::Stream &entry = loaded->streams.at(i);
        WatchedStream *stream = i == 0 ? m_streams.at(0) : m_streams.append();
        if (i > 0)
            adopt(stream);
        stream->setGivenName(entry.name);
        stream->request = entry.saved.request;
        stream->missingCredentials = entry.saved.missingCredentials;
        stream->secretsKey = entry.secretsKey;
        if (stream->missingCredentials.isEmpty()) {
            if (entry.connected)
                connectStream(stream, stream->request);
        } else if (!entry.secretsKey.isEmpty()) {
            m_secrets.read(entry.secretsKey, [this, id = stream->id(), connect = entry.connected](
                                                 const QByteArray &secrets, const QString &error) {
                restoreSecrets(id, secrets, error, connect);
            });
        } else {
            waiting.append(stream->name());
        }
        m_streams.markChanged(stream);
    }
    if (m_streams.size() > 1)
        showStreamList();
    showStream(loaded->current);
    if (loaded->overview)
        showOverview();
    m_workspacePath = path;
    QSettings().setValue(Key::lastWorkspace, path);
    setWindowFilePath(path);
    if (!waiting.isEmpty())
        showMessage(tr("%1: give the credentials again (they are not stored in a workspace)")
                        .arg(waiting.join(QStringLiteral(", "))),
                    true);
    return {};
}

void MainWindow::restoreSecrets(quint64 streamId, const QByteArray &secrets, const QString &error, bool connect)
{
    WatchedStream *stream = m_streams.find(streamId);
    if (!stream || stream->active)
        return;   // removed, or connected by the user meanwhile
    SavedRequest saved{stream->request, stream->missingCredentials};
    if (!error.isEmpty() || !saved.restoreSecrets(secrets)) {
        const QString why = error.isEmpty() ? tr("the keyring's entry does not fit the stream") : error;
        stream->lastError = tr("Give %1 again: %2").arg(stream->missingCredentials.join(QStringLiteral(", ")), why);
        m_streams.markChanged(stream);
        scheduleDisplayTick();
        if (stream == m_current)
            showMessage(stream->lastError, true);
        return;
    }
    stream->request = saved.request;
    stream->missingCredentials.clear();
    m_streams.markChanged(stream);
    scheduleDisplayTick();
    if (connect)
        connectStream(stream, stream->request);
    else if (stream == m_current)
        showCurrentState();
}

bool MainWindow::restoreLastWorkspace()
{
    const QString path = QSettings().value(Key::lastWorkspace).toString();
    if (path.isEmpty() || !QFileInfo(path).isFile())
        return false;
    return bool(openWorkspace(path));
}

void MainWindow::saveWorkspaceInteractively(bool choosePath)
{
    QString path = m_workspacePath;
    if (choosePath || path.isEmpty()) {
        const QString suggested = path.isEmpty()
                                      ? QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                                            .filePath(QStringLiteral("streams.csworkspace"))
                                      : path;
        path = QFileDialog::getSaveFileName(this, tr("Save workspace"), suggested,
                                            tr("Clickscope workspaces (*.csworkspace);;All files (*)"));
    }
    if (path.isEmpty())
        return;
    if (saveWorkspace(path))
        showMessage(tr("The workspace is saved in %1").arg(path), false);
}

void MainWindow::openWorkspaceInteractively()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open workspace"), m_workspacePath,
                                                      tr("Clickscope workspaces (*.csworkspace);;All files (*)"));
    if (!path.isEmpty())
        (void)openWorkspace(path);
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
        // One above the other, the two docks need more height than a small screen has (and
        // then overlap): as tabs, each has the whole side when both are shown.
        tabifyDockWidget(m_connectionDock, m_publisherDock);
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
    for (int row = 0; row < m_streams.size(); ++row) {
        if (WatchedStream *stream = m_streams.at(row); isDemoUrl(stream->request.config.url))
            disconnectStream(stream);
    }
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
    // Every stream's log holds still, so that a stream looked at while paused is frozen too.
    for (int row = 0; row < m_streams.size(); ++row) {
        if (WatchedStream *stream = m_streams.at(row); stream != m_current)
            stream->log().setPaused(paused);
    }
    m_ui->eventInspector->setPaused(paused);
    showPauseState();
    if (!paused && m_current->snapshot)
        render(m_current->snapshot);   // straight to the present: nothing was lost, only not drawn
}

void MainWindow::showPauseState()
{
    m_status->setPausedWaiting(m_paused ? qint64(m_ui->eventInspector->model()->pendingCount()) : -1);
}

void MainWindow::updateActions()
{
    const DashboardSnapshot *snapshot = m_current->snapshot.get();
    const QUrl &url = m_current->request.config.url;
    const bool hasData = snapshot && (snapshot->totals.events > 0 || snapshot->totals.bytes > 0);
    m_ui->actionReconnect->setEnabled(!url.isEmpty());
    m_ui->actionRecord->setEnabled(!url.isEmpty() && !url.isLocalFile() && m_current->recordingPath.isEmpty());
    m_ui->actionStopRecording->setEnabled(!m_current->recordingPath.isEmpty());
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

void MainWindow::onSnapshot(WatchedStream *stream, const DashboardSnapshotPtr &snapshot)
{
    if (!snapshot)
        return;
    // Each snapshot brings the events since the one before: the log takes them all, and the rest
    // only the newest, at the display tick, so that no stream's arrival repaints the window.
    stream->unlogged.append(snapshot);
    // An X-ray goes out only when it changed: one in a snapshot the tick skips is still news.
    if (snapshot->xray)
        stream->xray = snapshot->xray;
    stream->arrived = snapshot;
    scheduleDisplayTick();
}

void MainWindow::scheduleDisplayTick()
{
    if (m_displayTick.isActive())
        return;
    // At the display rate, and no later than it allows: news after a quiet spell shows at once.
    const qint64 frameMs = 1000 / kDisplayHz;
    const qint64 since = m_sinceTick.isValid() ? m_sinceTick.elapsed() : frameMs;
    m_displayTick.start(int(std::max<qint64>(0, frameMs - since)));
}

void MainWindow::displayTick()
{
    m_displayTick.stop();
    m_sinceTick.start();
    ++m_displayTicks;
    for (int row = 0; row < m_streams.size(); ++row) {
        WatchedStream *stream = m_streams.at(row);
        for (const DashboardSnapshotPtr &snapshot : std::exchange(stream->unlogged, {})) {
            if (stream == m_current)
                m_ui->eventInspector->applySnapshot(*snapshot);   // it buffers while paused
            else
                stream->log().applySnapshot(*snapshot);
        }
        if (!stream->arrived)
            continue;
        stream->snapshot = std::exchange(stream->arrived, nullptr);
        m_streams.markChanged(stream);
        if (stream == m_current)
            m_currentChanged = true;
    }
    m_streams.refresh();
    if (std::exchange(m_currentChanged, false))
        showCurrentSnapshot();
}

void MainWindow::showCurrentSnapshot()
{
    const DashboardSnapshotPtr snapshot = m_current->snapshot;
    if (!snapshot)
        return;
    // The transport is not data: pausing the display does not hold it either.
    m_replayBar->setVisible(snapshot->replay.has_value());
    if (!m_current->recordingPath.isEmpty() && snapshot->recording)
        showRecording(snapshot->recording);
    if (snapshot->replay)
        m_replayBar->showPosition(*snapshot->replay);
    // The X-ray is about the connection, not the counts: pausing the display does not hold it.
    if (m_current->xray != m_xrayShown) {
        m_xrayShown = m_current->xray;
        m_status->setXray(m_xrayShown.get());
        // A hidden panel is brought up to date when it is shown, not every second.
        if (m_connectionDock->isVisible())
            m_connectionPanel->setXray(m_current->xray);
    }
    m_status->applySnapshot(*snapshot);
    if (m_paused)
        showPauseState();
    updateActions();
    if (const bool once = std::exchange(m_renderOncePaused, false); !m_paused || once)
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

void MainWindow::onStateChanged(WatchedStream *stream, StreamSource::State state)
{
    stream->state = state;
    if (!stream->active)
        return;   // the closing of a stream the user disconnected: "Disconnected" stays
    if (state != StreamSource::State::Connecting)
        stream->retryAtMs = 0;
    m_streams.markChanged(stream);
    scheduleDisplayTick();
    const StreamRequest &request = stream->request;
    if (state == StreamSource::State::Open) {
        // Only a stream that opened is worth offering again (once per request, not at every
        // reconnection of a flapping server); the demo's port changes every start.
        // Recordings are opened from files, and an imported HAR's lives only as long as the window.
        if (!std::exchange(stream->remembered, true) && !isDemoUrl(request.config.url)
            && !request.config.url.isLocalFile()) {
            RecentStreams::remember(request);
            showRecentStreams();
        }
        stream->lastError.clear();
    }
    if (stream != m_current)
        return;
    switch (state) {
    case StreamSource::State::Connecting:
        m_ui->connectButton->setText(tr("&Disconnect"));
        m_status->setConnecting(request.config.url, request.config.connectTimeoutMs);
        break;
    case StreamSource::State::Open:
        m_ui->connectButton->setText(tr("&Disconnect"));
        m_status->setOpen(request.config.url);
        showMessage({}, false);
        break;
    case StreamSource::State::Closed:
        m_ui->connectButton->setText(tr("&Connect"));
        m_status->setClosed(stream->lastError, stream->endReason);
        break;
    }
}

void MainWindow::onFailed(WatchedStream *stream, const QString &message)
{
    stream->lastError = message;
    m_streams.markChanged(stream);
    scheduleDisplayTick();
    if (stream == m_current)
        showMessage(message, true);
}

void MainWindow::onRecordingEnded(WatchedStream *stream, const QString &path, const QString &error)
{
    stream->recordingPath.clear();
    if (stream != m_current) {
        // Said all the same: it may be the file the user waits for.
        if (error.isEmpty())
            showMessage(tr("%1: the recording ended with its stream; it is saved in %2").arg(stream->name(), path),
                        false);
        else
            showMessage(tr("%1: recording stopped: %2").arg(stream->name(), error), true);
        return;
    }
    showRecording(std::nullopt);
    updateActions();
    if (error.isEmpty())
        showMessage(tr("The recording ended with its stream; it is saved in %1").arg(path), false);
    else
        showMessage(tr("Recording stopped: %1. The stream goes on.").arg(error), true);
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

CompareWindow *MainWindow::presentCompareWindow()
{
    if (!m_compareWindow) {
        m_compareWindow = new CompareWindow(this);
        m_compareWindow->resize(size());   // as large as the dashboard it stands beside
    }
    m_compareWindow->show();
    m_compareWindow->raise();
    m_compareWindow->activateWindow();
    return m_compareWindow;
}

CompareWindow *MainWindow::openCompareWindow()
{
    presentCompareWindow();
    if (const QList<int> picked = showsOverview() ? m_overview->selectedRows() : QList<int>(); picked.size() == 2)
        return compareStreams(m_streams.at(picked.first()), m_streams.at(picked.last()));
    if (!m_compareWindow->isComparing()) {
        // The next stream of the window when there are several; else the same clicks' other road.
        const WatchedStream *next = m_streams.at((m_streams.rowOf(m_current) + 1) % m_streams.size());
        m_compareWindow->setFirst(m_current->request);
        if (next != m_current && !next->request.config.url.isEmpty())
            m_compareWindow->setSecond(next->request);
        else
            m_compareWindow->setSecondUrl(otherTransportOf(m_current->request.config.url));
    }
    return m_compareWindow;
}

CompareWindow *MainWindow::compareStreams(const WatchedStream *first, const WatchedStream *second)
{
    CompareWindow *window = presentCompareWindow();
    window->stop();
    window->setFirst(first->request);
    window->setSecond(second->request);
    window->compare();
    return window;
}

void MainWindow::openConnectDialog()
{
    StreamRequest request = m_current->request;
    if (const QString typed = m_ui->urlEdit->text().trimmed(); !typed.isEmpty())
        request.config.url = streamUrlFromText(typed);
    openConnectDialogFor(request);
}

void MainWindow::openConnectDialogFor(const StreamRequest &request)
{
    ConnectDialog dialog(this);
    dialog.setRecentUrls(recentUrls());
    dialog.setRequest(request);
    if (m_current->snapshot) {
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
    if (entry.missingCredentials.isEmpty())
        connectTo(entry.request);
    else
        askForCredentials(entry.missingCredentials, entry.request);
}

Result<QStringList> MainWindow::exportTo(const QString &directory)
{
    // One moment for everything: the CSVs and report.json come from the same capture, and the
    // window shows it before its picture is taken (unless the display is paused, when the
    // pictures keep what the user froze).
    const ClickPipeline::Capture capture = m_current->pipeline().capture(kReportTopRows);
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
