from tests.ui.test_voice import *  # noqa
from tests.ui.test_voice import hall, window  # noqa
import ui.widgets.virtual_keyboard as vkm
def test_dbg(window, qtbot):
    keyboard = window.keyboard
    window.start_session("en")
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None)
    field = QLineEdit(window.current_screen())
    field.show(); field.setFocus()
    qtbot.wait(100)
    print("DBG", [type(w).__name__ for w in QApplication.topLevelWidgets()], [ (w.objectName(), w.isVisible()) for w in QGuiApplication.topLevelWindows()], QGuiApplication.inputMethod().isVisible(), keyboard.isVisible(), keyboard.panel.property("active"))
    QGuiApplication.inputMethod().show()
    print("DBG", QGuiApplication.inputMethod().isVisible())
