<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../screens/attract.py" line="+134"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verify invoices and more. Touch the screen to start.</source>
        <translation>发票查验等业务，请触摸屏幕开始。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Have an invoice? Hold its QR code under the scanner below the screen: verification starts at once.</source>
        <translation>有发票要查验？将发票上的二维码对准屏幕下方的扫描窗口，立即开始查验。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Touch to start</source>
        <translation>触摸屏幕开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
</context>
<context>
    <name>BookConfirm</name>
    <message>
        <location filename="../screens/school_courses.py" line="+186"/>
        <source>Book one seat on this course for you?</source>
        <translation>为您预约本课程一个座位？</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Book</source>
        <translation>确认预约</translation>
    </message>
</context>
<context>
    <name>BookingDone</name>
    <message>
        <location line="+8"/>
        <source>Tax school booking</source>
        <translation>税务学堂预约</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Back to the courses</source>
        <translation>返回课程列表</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Print the booking slip</source>
        <translation>打印预约凭条</translation>
    </message>
</context>
<context>
    <name>BusyIllustration</name>
    <message>
        <location filename="../widgets/busy.py" line="+152"/>
        <source>Scanning…</source>
        <translation>正在扫描…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing… Take your slip from the printer slot</source>
        <translation>正在打印…请从打印口取走凭条</translation>
    </message>
</context>
<context>
    <name>CalculatorScreen</name>
    <message>
        <location filename="../screens/calculators.py" line="+41"/>
        <source>Calculate</source>
        <translation>计算</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (optional)</source>
        <translation>%1（选填）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change the figures</source>
        <translation>修改数字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print the calculation</source>
        <translation>打印计算过程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result of the calculation</source>
        <translation>计算结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An estimate for guidance: the tax office&apos;s assessment prevails.</source>
        <translation>计算结果仅供参考，以税务机关核定为准。</translation>
    </message>
</context>
<context>
    <name>CalendarScreen</name>
    <message>
        <location filename="../screens/guide_calendar.py" line="+67"/>
        <source>Filing calendar</source>
        <translation>办税日历</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Filing deadlines in %1</source>
        <translation>%1申报纳税期限</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Today is %1 (hall time)</source>
        <translation>今天是%1（本厅时间）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>closed</source>
        <translation>已截止</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>last day today</source>
        <translation>今天截止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>days left: %1</source>
        <translation>还剩%1天</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No filing deadlines are published for this month.</source>
        <translation>本月没有公布的申报纳税期限。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Next deadline: %1 %2</source>
        <translation>下一个截止日：%1 %2</translation>
    </message>
</context>
<context>
    <name>CallbackForm</name>
    <message>
        <location filename="../screens/consult_callback.py" line="+62"/>
        <source>Tell us what your question is about and when to call: the 12366 tax service calls you back. You get a ticket number on a slip.</source>
        <translation>请选择咨询类别和方便接听的时段，12366 纳税服务热线将回电解答。提交后打印凭条，凭工单号查询答复。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>12366 callback request</source>
        <translation>12366 预约回电</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What is it about?</source>
        <translation>咨询类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>When may we call you?</source>
        <translation>方便接听的时段</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Phone number to call back</source>
        <translation>回电号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your question in a few words (optional)</source>
        <translation>问题简述（选填）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Request a callback</source>
        <translation>提交预约回电</translation>
    </message>
</context>
<context>
    <name>CallbackSaved</name>
    <message>
        <location line="+25"/>
        <source>Look up this ticket</source>
        <translation>查询此工单</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Callback requested</source>
        <translation>预约回电已受理</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your request is registered under the ticket number below. This terminal sends it to the 12366 tax service at once, or as soon as the network is back; the number stays the same.</source>
        <translation>您的预约已登记，工单号见下方。本机会立即提交给 12366；如网络中断，将在恢复后自动提交，工单号不变。</translation>
    </message>
</context>
<context>
    <name>CertificateResultScreen</name>
    <message>
        <location filename="../screens/certificate_verify.py" line="+82"/>
        <source>Certificate check</source>
        <translation>证明查验结果</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Check another certificate</source>
        <translation>查验其他证明</translation>
    </message>
</context>
<context>
    <name>CertificateVerifyScreen</name>
    <message>
        <location line="-35"/>
        <source>Scan the certificate&apos;s QR code, or type its verification code</source>
        <translation>请扫描证明上的二维码，或输入验证码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Verification code (16 letters and digits, checked online)</source>
        <translation>验证码（16位字母和数字，联网查验）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Check the code</source>
        <translation>查验验证码</translation>
    </message>
</context>
<context>
    <name>ConfirmScreen</name>
    <message>
        <location filename="../flow/confirm.py" line="+27"/>
        <source>Please check and confirm</source>
        <translation>请核对后确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>CourseList</name>
    <message>
        <location filename="../screens/school_courses.py" line="-108"/>
        <source>Please wait…</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Book a seat</source>
        <translation>预约</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel my booking</source>
        <translation>取消预约</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score this course</source>
        <translation>评价课程</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Tax school: courses</source>
        <translation>税务学堂 课程</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No courses are published yet. Please try again after the terminal has synced.</source>
        <translation>暂无课程信息，请在终端联网同步后再试。</translation>
    </message>
</context>
<context>
    <name>Evaluate</name>
    <message>
        <location line="+104"/>
        <source>Score a course</source>
        <translation>评价课程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Score the course: %1</source>
        <translation>评价课程：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>1 = poor, 5 = excellent</source>
        <translation>1 星最差，5 星最好</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Send my score</source>
        <translation>提交评价</translation>
    </message>
</context>
<context>
    <name>FaqAnswer</name>
    <message>
        <location filename="../screens/consult_faq.py" line="+73"/>
        <source>12366 answer</source>
        <translation>12366答复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not answered? Ask 12366 to call you back</source>
        <translation>没有解决？请12366回电</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not answered? Call 12366 or ask at the advice counter</source>
        <translation>没有解决？请拨打12366或到咨询窗口</translation>
    </message>
</context>
<context>
    <name>FaqSearch</name>
    <message>
        <location line="-37"/>
        <source>12366 questions and answers</source>
        <translation>12366智能咨询</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Type your question, e.g. 个税汇算 or grsds. Answers update as you type.</source>
        <translation>输入您的问题，例如“个税汇算”或拼音首字母“grsds”，答案随输入更新。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not answered? Ask 12366 to call you back</source>
        <translation>没有解决？请12366回电</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not answered? Call 12366 or ask at the advice counter</source>
        <translation>没有解决？请拨打12366或到咨询窗口</translation>
    </message>
</context>
<context>
    <name>FormScreen</name>
    <message>
        <location filename="../flow/form.py" line="+48"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
</context>
<context>
    <name>GateChoiceScreen</name>
    <message>
        <location filename="../screens/identity_login.py" line="+390"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in to use: %1</source>
        <translation>登录后办理：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose how to sign in. You can also put your ID card on the reader now.</source>
        <translation>请选择登录方式。也可以直接把身份证放在读卡区。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose how to sign in.</source>
        <translation>请选择登录方式。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>ID card</source>
        <translation>身份证登录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Scan with the tax app</source>
        <translation>税务APP扫码登录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Tax ID and password</source>
        <translation>纳税人识别号和密码登录</translation>
    </message>
</context>
<context>
    <name>GuidanceScreen</name>
    <message>
        <location filename="../screens/guidance_kit.py" line="+47"/>
        <source>Information as of %1</source>
        <translation>资料更新于 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Information as of %1 (saved on this terminal: the tax service cannot be reached now)</source>
        <translation>资料更新于 %1（本机保存的资料：暂时无法连接税务系统）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This information has not been downloaded to this terminal yet. Please ask the hall staff.</source>
        <translation>本机尚未下载这些资料，请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing found. Try other words or the first letters of the pinyin.</source>
        <translation>没有找到。请换个说法，或输入拼音首字母。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type words or pinyin initials, e.g. wszm</source>
        <translation>输入文字或拼音首字母，例如 wszm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back to the list</source>
        <translation>返回列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
</context>
<context>
    <name>GuideMatter</name>
    <message>
        <location filename="../screens/guide_catalogue.py" line="+81"/>
        <source>Print the materials checklist</source>
        <translation>打印资料清单</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Tax guide</source>
        <translation>办税导航</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Can be done here, on this terminal</source>
        <translation>可在本机办理</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>At a counter: %1</source>
        <translation>需到窗口：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Open here: %1</source>
        <translation>在本机办理：%1</translation>
    </message>
</context>
<context>
    <name>GuideSearch</name>
    <message>
        <location line="-84"/>
        <source>Tax guide: what to bring and where to go</source>
        <translation>办税导航：在哪办、带什么资料</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Search a matter, or choose a group below.</source>
        <translation>搜索事项，或在下方选择分类。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All groups</source>
        <translation>全部分类</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <location filename="../widgets/header.py" line="+315"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Terminal %1</source>
        <translation>终端 %1</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../screens/home.py" line="+223"/>
        <source>Choose a service</source>
        <translation>请选择业务</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Or scan now: hold the QR code of an invoice, or of a slip from this terminal, under the scanner below the screen. Its service opens by itself.</source>
        <translation>也可以直接扫码：将发票上的二维码或本机打印凭条上的二维码对准屏幕下方的扫描窗口，相应业务会自动打开。</translation>
    </message>
</context>
<context>
    <name>IdentityCardScreen</name>
    <message>
        <location filename="../screens/identity_login.py" line="+12"/>
        <source>A card is already on the reader. Please take it away, then put your ID card on the reader again.</source>
        <translation>读卡区上已有一张卡。请先取走，再把您的身份证重新放上。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Sign in with your ID card</source>
        <translation>身份证登录</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Reading your ID card…</source>
        <translation>正在读取身份证…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Waiting for your ID card…</source>
        <translation>请放置身份证…</translation>
    </message>
</context>
<context>
    <name>IdentityDoneScreen</name>
    <message>
        <location line="+195"/>
        <source>You are signed in</source>
        <translation>您已登录</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Choose a service</source>
        <translation>选择业务</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Identified from your ID card alone: the tax service cannot be reached now, so services that need it are not available.</source>
        <translation>仅凭身份证确认身份：暂时无法连接税务系统，需要联网的业务暂不可用。</translation>
    </message>
</context>
<context>
    <name>IdentityEnterpriseScreen</name>
    <message>
        <location line="-62"/>
        <source>Which enterprise are you acting for?</source>
        <translation>请选择办理业务的企业</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Myself</source>
        <translation>本人</translation>
    </message>
</context>
<context>
    <name>IdentityFlow</name>
    <message>
        <location line="-571"/>
        <source>Needs the network: the tax service cannot be reached now.</source>
        <translation>需要网络：暂时无法连接税务系统。</translation>
    </message>
</context>
<context>
    <name>IdentityPasswordScreen</name>
    <message>
        <location line="+514"/>
        <source>Sign in with your tax ID and password</source>
        <translation>纳税人识别号和密码登录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tax ID (credit code or ID number)</source>
        <translation>纳税人识别号（统一社会信用代码或身份证号）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>IdentityQrScreen</name>
    <message>
        <location line="-76"/>
        <source>Sign in with the tax app</source>
        <translation>税务APP扫码登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the tax app on your phone, choose Scan, point it at this code and confirm in the app.</source>
        <translation>请打开手机上的税务APP，选择“扫一扫”，对准此二维码，并在APP中确认。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>New code</source>
        <translation>换一个二维码</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Getting a code…</source>
        <translation>正在获取二维码…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Valid for %1 more</source>
        <translation>有效时间还剩 %1</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <location filename="../widgets/idle_overlay.py" line="+124"/>
        <source>%1 seconds left</source>
        <translation>剩余 %1 秒</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Session time-out warning</source>
        <translation>操作超时提醒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Are you still there?</source>
        <translation>您还在吗？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To protect your privacy, this session will then end and what you entered will be cleared.</source>
        <translation>为保护您的隐私，倒计时结束后将结束本次办理，并清除您输入的信息。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Continue</source>
        <translation>继续办理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue, I am still here</source>
        <translation>我还在，继续办理</translation>
    </message>
</context>
<context>
    <name>Illustration</name>
    <message>
        <location filename="../screens/invoice_verify.py" line="+172"/>
        <location filename="../widgets/illustration.py" line="+228"/>
        <source>Hold the QR code over the scanner window below the screen</source>
        <translation>请将二维码对准屏幕下方的扫描窗口</translation>
    </message>
    <message>
        <location filename="../widgets/illustration.py" line="+2"/>
        <source>Put your ID card flat on the reader pad</source>
        <translation>请将身份证平放在读卡区</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Take your slip from the printer slot</source>
        <translation>请从打印口取走凭条</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Take your invoices from the tray</source>
        <translation>请从出票口取走发票</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Insert your bank card at the bottom of the card terminal, or hold it on the wave mark</source>
        <translation>请将银行卡插入刷卡器底部，或贴近感应标志</translation>
    </message>
</context>
<context>
    <name>InfoDetail</name>
    <message>
        <location filename="../screens/info_announcements.py" line="+80"/>
        <source>Major tax violation case</source>
        <translation>重大税收违法失信案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notices and policies</source>
        <translation>通知公告</translation>
    </message>
</context>
<context>
    <name>InfoSearch</name>
    <message>
        <location line="-56"/>
        <source>Notices</source>
        <translation>通知公告</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Policies</source>
        <translation>政策法规</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tax violators</source>
        <translation>失信案件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A-rated taxpayers</source>
        <translation>A级纳税人</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Notices and policies</source>
        <translation>通知公告</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Published major tax violation cases. Type a name or TIN.</source>
        <translation>已公布的重大税收违法失信案件，请输入名称或纳税人识别号。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Taxpayers rated A for tax credit. Type a name or TIN.</source>
        <translation>纳税信用A级纳税人名单，请输入名称或纳税人识别号。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Newest first. Type words to search.</source>
        <translation>最新的在前，输入文字可搜索。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Name or taxpayer identification number</source>
        <translation>名称或纳税人识别号</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Type at least 2 characters of the name or number.</source>
        <translation>请至少输入名称或识别号的2个字符。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not on the published A-rated list.</source>
        <translation>不在已公布的A级纳税人名单中。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No published case matches.</source>
        <translation>没有符合的已公布案件。</translation>
    </message>
</context>
<context>
    <name>InvoiceVerifyFlow</name>
    <message>
        <location filename="../screens/invoice_verify.py" line="-124"/>
        <source>This slip is not known here. Please ask the hall staff.</source>
        <translation>本终端查不到此凭条。请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The result of this slip is no longer kept at this terminal (results are deleted after a while to protect personal data). Please scan the invoice to check it again.</source>
        <translation>本终端已不再保存此凭条的查验结果（为保护个人信息，结果只保存一段时间）。请扫描发票重新查验。</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../widgets/keypad.py" line="+248"/>
        <source>Number keypad</source>
        <translation>数字键盘</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Digit %1</source>
        <translation>数字 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decimal point</source>
        <translation>小数点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Letter X</source>
        <translation>字母 X</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the last character</source>
        <translation>删除最后一位</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the whole field</source>
        <translation>清空本栏内容</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Letter %1</source>
        <translation>字母 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Upper or lower case</source>
        <translation>大小写切换</translation>
    </message>
</context>
<context>
    <name>ListDetailScreen</name>
    <message>
        <location filename="../flow/list_detail.py" line="+28"/>
        <source>Nothing found.</source>
        <translation>没有查到记录。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="+552"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finish</source>
        <translation>结束办理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finish and clear my data</source>
        <translation>结束办理并清除我的信息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out, finish and clear my data</source>
        <translation>退出登录，结束办理并清除我的信息</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Switch language</source>
        <translation>切换语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Larger text</source>
        <translation>大字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High contrast</source>
        <translation>高对比度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High contrast colours</source>
        <translation>高对比度配色</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens/maintenance.py" line="+300"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Maintenance</source>
        <translation>维护模式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue and sync</source>
        <translation>队列与同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected records</source>
        <translation>被拒绝的记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maintenance details</source>
        <translation>维护详情</translation>
    </message>
    <message>
        <location line="-121"/>
        <location line="+123"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sync the queue now</source>
        <translation>立即同步待上传队列</translation>
    </message>
    <message>
        <location line="-122"/>
        <location line="+123"/>
        <source>Test print</source>
        <translation>测试打印</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print a test page on the receipt printer</source>
        <translation>在凭条打印机上打印测试页</translation>
    </message>
    <message>
        <location line="-123"/>
        <location line="+124"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Refresh the figures</source>
        <translation>刷新数据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Log out of maintenance mode</source>
        <translation>退出维护模式</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Signed in: %1 (%2)</source>
        <translation>已登录：%1（%2）</translation>
    </message>
    <message>
        <location line="-128"/>
        <location line="+129"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="-137"/>
        <source>Not for your role</source>
        <translation>您的岗位不可使用</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The queue figures and devices are not shown to your role.</source>
        <translation>您的岗位不显示队列数据和设备状态。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not for your role: %1.</source>
        <translation>您的岗位不可使用：%1。</translation>
    </message>
    <message>
        <location line="+145"/>
        <source>Waiting to upload: %1</source>
        <translation>待上传：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Oldest waiting: %1</source>
        <translation>最早待上传：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Uploaded: %1</source>
        <translation>已上传：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never confirmed on screen: %1</source>
        <translation>未在屏幕确认：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tax service reachable: %1</source>
        <translation>税务服务可连接：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>hall staff</source>
        <translation>大厅工作人员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>logistics</source>
        <translation>物流</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>technician</source>
        <translation>技术员</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No. %1 · %2 · %3
Reason: %4</source>
        <translation>第 %1 条 · %2 · %3
原因：%4</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(none given)</source>
        <translation>（未说明）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Showing the newest %1 of %2.</source>
        <translation>显示最新的 %1 条，共 %2 条。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not reachable</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no answer</source>
        <translation>无应答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>set up wrongly</source>
        <translation>配置错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>out of paper</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>paper low</source>
        <translation>纸将用尽</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cover open</source>
        <translation>机盖打开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>paper jam</source>
        <translation>卡纸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no card</source>
        <translation>无卡</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>card removed</source>
        <translation>卡已移走</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>card unreadable</source>
        <translation>无法读卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>card not supported</source>
        <translation>不支持此卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>out of stock</source>
        <translation>发票已用完</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>stock low</source>
        <translation>发票将用完</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>door open</source>
        <translation>舱门打开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>garbled reply</source>
        <translation>应答错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input too long</source>
        <translation>输入过长</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No devices are configured.</source>
        <translation>未配置任何设备。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="-23"/>
        <location line="+24"/>
        <source>busy</source>
        <translation>忙</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scanner</source>
        <translation>扫描器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scanner (keyboard)</source>
        <translation>扫描器（键盘模式）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera scanner</source>
        <translation>摄像头扫描</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Receipt printer</source>
        <translation>凭条打印机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invoice printer</source>
        <translation>发票打印机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A4 printer</source>
        <translation>A4打印机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID card reader</source>
        <translation>身份证阅读器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Payment terminal</source>
        <translation>支付终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invoice dispenser</source>
        <translation>发票发售机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff card reader</source>
        <translation>工作人员读卡器</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (%2): %3</source>
        <translation>%1（%2）：%3</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Sync: sent %1, accepted %2, duplicates %3, rejected %4, still waiting %5.</source>
        <translation>同步：已发送 %1，已接受 %2，重复 %3，被拒绝 %4，仍待上传 %5。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stopped: %1</source>
        <translation>已中止：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync failed. See the log for details.</source>
        <translation>同步失败，详情请查看日志。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Printing the test page…</source>
        <translation>正在打印测试页…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test page printed.</source>
        <translation>测试页已打印。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Test page not printed: %1</source>
        <translation>测试页未打印：%1</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../messages.py" line="+27"/>
        <source>This QR code cannot be read as an invoice. Please scan the QR code printed on the invoice.</source>
        <translation>无法从此二维码中读出发票信息。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>This is not an invoice QR code. Please scan the QR code printed on the invoice.</source>
        <translation>这不是发票二维码。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>This QR code is a web address, not an invoice. Please scan the QR code printed on the invoice.</source>
        <translation>此二维码是网址，不是发票。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing was scanned. Please try again.</source>
        <translation>未扫描到内容，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only part of the QR code was read. Please hold the invoice still and scan again.</source>
        <translation>二维码只读取到一部分。请拿稳发票，重新扫描。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This QR code version is not supported. Please type the invoice details instead.</source>
        <translation>暂不支持此版本的二维码。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This invoice type cannot be verified here.</source>
        <translation>本终端不能查验此类发票。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice code in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的发票代码已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的发票号码已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The amount in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的金额已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date in the QR code is not a real date. Please type the invoice details instead.</source>
        <translation>二维码中的开票日期无效。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The check code in the QR code has the wrong length. Please type the invoice details instead.</source>
        <translation>二维码中的校验码位数不对。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The QR code is damaged. Please scan again or type the invoice details.</source>
        <translation>二维码已损坏。请重新扫描，或手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The code on this slip is damaged. Please ask the hall staff for help.</source>
        <translation>此凭条上的二维码已损坏。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please fill in this field.</source>
        <translation>请填写此项。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice code has 10 or 12 digits.</source>
        <translation>发票代码为 10 位或 12 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This invoice code belongs to another invoice type.</source>
        <translation>此发票代码属于其他发票种类。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number has 8 digits.</source>
        <translation>发票号码为 8 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number has 20 digits.</source>
        <translation>发票号码为 20 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a real date as 8 digits, e.g. 20240514.</source>
        <translation>请输入有效日期，共 8 位数字，例如 20240514。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the amount in yuan, e.g. 1024.50.</source>
        <translation>请输入以元为单位的金额，例如 1024.50。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the last 6 digits of the check code.</source>
        <translation>请输入校验码后 6 位。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the invoice type first.</source>
        <translation>请先选择发票种类。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is out of paper. Please ask the hall staff for help.</source>
        <translation>打印机缺纸。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer paper is running low.</source>
        <translation>打印纸即将用完。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer cover is open. Please ask the hall staff for help.</source>
        <translation>打印机盖未关好。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This terminal has no receipt printer.</source>
        <translation>本终端没有凭条打印机。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>The printer is not responding. Please ask the hall staff for help.</source>
        <translation>打印机无响应。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer reported a fault. Please ask the hall staff for help.</source>
        <translation>打印机报告故障。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer paper is jammed. Please ask the hall staff for help.</source>
        <translation>打印机卡纸。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is busy. Please try again in a moment.</source>
        <translation>打印机忙，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is not set up correctly. Please ask the hall staff for help.</source>
        <translation>打印机设置有误。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service could not accept these details. Please check them and try again.</source>
        <translation>税务系统未能受理这些信息。请核对后重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service cannot be reached and this terminal has already saved as many requests as it may. Please try again later or ask the hall staff for help.</source>
        <translation>暂时无法连接税务服务，本终端暂存的业务已达上限。请稍后再试，或联系大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong. Nothing was recorded. Please try again.</source>
        <translation>出现问题，本次操作未被记录。请重试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter digits only.</source>
        <translation>请只输入数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter letters and digits only.</source>
        <translation>请只输入字母和数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please choose one of the options.</source>
        <translation>请选择其中一项。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is too long.</source>
        <translation>输入的内容过长。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This figure cannot be used. Please check it.</source>
        <translation>这个数字无法使用，请检查。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the figure in yuan, e.g. 1024.50.</source>
        <translation>请以元为单位输入金额，例如 1024.50。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Enter a number.</source>
        <translation>请输入数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The figure cannot be negative.</source>
        <translation>金额不能为负数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This figure is too large. Please check it.</source>
        <translation>数字过大，请检查。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use at most 2 decimal places.</source>
        <translation>最多保留2位小数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a month from 1 to 12.</source>
        <translation>请输入1到12之间的月份。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the engine size in litres, more than 0 and at most 20, e.g. 1.6.</source>
        <translation>请输入排气量（升），大于0且不超过20，例如 1.6。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The yearly tax table of this terminal is not valid. Please ask the hall staff.</source>
        <translation>本机的年税额表无效，请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give the months owned or the month bought, not both.</source>
        <translation>请填写应纳税月份数或购置月份，不要同时填写。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This code cannot be used at this terminal. Please scan an invoice QR code or the QR code on a slip from this system.</source>
        <translation>本终端无法使用此码。请扫描发票上的二维码，或本系统打印的凭条上的二维码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not available right now: a device it needs is out of order. Please ask the hall staff.</source>
        <translation>暂不可用：所需设备出现故障。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now: the tax service cannot be reached. Please try again later.</source>
        <translation>暂不可用：目前无法连接税务系统。请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available at this time of day. Please see the opening hours.</source>
        <translation>当前时段不提供此业务。请留意办理时间。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now: its devices have not been checked yet.</source>
        <translation>暂不可用：所需设备尚未完成检测。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>For the hall staff only.</source>
        <translation>仅限大厅工作人员使用。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now. Please ask the hall staff.</source>
        <translation>暂不可用。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This card is not a staff card of this terminal.</source>
        <translation>此卡不是本终端的工作人员卡。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A PIN is 6 to 8 digits. Please enter it again.</source>
        <translation>密码为 6 至 8 位数字，请重新输入。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong PIN. Please try again.</source>
        <translation>密码错误，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong PIN. Attempts left before the card is locked: %1.</source>
        <translation>密码错误。还可尝试 %1 次，之后此卡将被锁定。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong PINs: this card is locked for now. Please try again later.</source>
        <translation>密码错误次数过多，此卡已被暂时锁定，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong PINs: this card is locked until %1.</source>
        <translation>密码错误次数过多，此卡已被锁定至 %1。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign-in is not possible right now. Please try again.</source>
        <translation>暂时无法登录，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff sign-in is locked on this terminal: its record of wrong PINs cannot be read. Please ask a technician.</source>
        <translation>本终端的工作人员登录已锁定：无法读取密码错误记录。请联系技术人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff sign-in is locked on this terminal until %1: its record of wrong PINs was damaged.</source>
        <translation>本终端的工作人员登录已锁定至 %1：密码错误记录已损坏。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your role may not do this.</source>
        <translation>您的岗位无权执行此操作。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No taxpayer is registered under these details. Please check them, or ask the hall staff.</source>
        <translation>未查到以此信息登记的纳税人。请核对，或咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong TIN or password. Please try again.</source>
        <translation>纳税人识别号或密码错误，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong TIN or password. Tries left before password sign-in is locked: %1.</source>
        <translation>纳税人识别号或密码错误。再错 %1 次将锁定密码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong passwords: password sign-in is locked for now. Please use your ID card or the tax app, or try again later.</source>
        <translation>密码错误次数过多，密码登录暂时锁定。请使用身份证或税务APP扫码登录，或稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong passwords: password sign-in is locked until %1. Please use your ID card or the tax app.</source>
        <translation>密码错误次数过多，密码登录已锁定至 %1。请使用身份证或税务APP扫码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This sign-in code has expired. Please scan the new code.</source>
        <translation>此登录二维码已过期，请扫描新的二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This sign-in code has already been used. Please scan the new code.</source>
        <translation>此登录二维码已使用，请扫描新的二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your sign-in has expired. Please sign in again.</source>
        <translation>登录已过期，请重新登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service cannot be reached. Signing in with the tax app or a password needs the network; please use your ID card or try again later.</source>
        <translation>暂时无法连接税务系统。税务APP扫码登录和密码登录需要网络，请使用身份证登录或稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You are not registered to act for an enterprise. This service is for enterprises.</source>
        <translation>您未登记为任何企业的办税人员，本业务仅供企业办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signing in did not work. Please try again.</source>
        <translation>登录未成功，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This ID card expired on %1 and cannot be used. Please use a valid ID card, the tax app or a password.</source>
        <translation>此身份证已于 %1 过期，不能使用。请使用有效身份证、税务APP或密码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The number on this ID card cannot be right. Please ask the hall staff.</source>
        <translation>此身份证号码有误，请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This card is not a resident ID card. Please use your resident ID card, the tax app or a password.</source>
        <translation>此卡不是居民身份证。请使用居民身份证、税务APP或密码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This card could not be read. Please take it away and put it flat on the reader again.</source>
        <translation>无法读取此卡。请取走后重新平放在读卡区。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID card reader is not working. Please sign in with the tax app or a password, or ask the hall staff.</source>
        <translation>身份证阅读器暂不可用。请使用税务APP扫码或密码登录，或咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter an 18-character unified social credit code or resident ID number.</source>
        <translation>请输入18位统一社会信用代码或居民身份证号码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A password has at most 64 characters.</source>
        <translation>密码最多64个字符。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This QR code is not a tax certificate&apos;s, or it is damaged.</source>
        <translation>此二维码不是税收证明的二维码，或已损坏。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The certificate&apos;s signature does not match: it may be forged or altered.</source>
        <translation>证明的签名不符，可能系伪造或被篡改。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This certificate was not signed by a tax office this terminal knows.</source>
        <translation>此证明并非由本终端认可的税务机关签发。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This certificate is dated outside the validity of the key that signed it.</source>
        <translation>此证明的开具日期不在签发密钥的有效期内。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office has revoked this certificate.</source>
        <translation>税务机关已作废此证明。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office has no certificate with this number or code.</source>
        <translation>税务机关没有此编号或验证码的证明。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A verification code has 16 letters and digits.</source>
        <translation>验证码为16位字母和数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking a verification code needs the network. Please scan the certificate&apos;s QR code, or try again later.</source>
        <translation>查验验证码需要联网。请扫描证明上的二维码，或稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many checks from this terminal just now. Please try again in a minute.</source>
        <translation>本终端查验过于频繁，请一分钟后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No payment matches this certificate. Please choose another payment or period.</source>
        <translation>没有符合条件的缴款记录，请选择其他缴款或期间。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A tax payment record is issued to natural persons only.</source>
        <translation>纳税记录仅向自然人开具。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a period of months as YYYYMM, from no later than to, at most 36 months, not after this month.</source>
        <translation>请按YYYYMM输入期间：起始不晚于截止，最长36个月，且不晚于本月。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The tax service cannot be reached right now. Please try again later.</source>
        <translation>暂时无法连接税务服务，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter an 11-digit mobile number, or a landline number with its area code.</source>
        <translation>请输入 11 位手机号码，或带区号的固定电话号码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This request cannot be accepted. Please check the fields.</source>
        <translation>无法受理此预约，请检查填写的内容。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This suggestion cannot be accepted. Please check the fields.</source>
        <translation>无法受理此意见建议，请检查填写的内容。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is not a ticket number: type the 12 digits after GD on your slip.</source>
        <translation>工单号有误：请输入凭条上 GD 后面的 12 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No ticket has this number yet. A request made while the network was down is registered once this terminal is back online.</source>
        <translation>暂未查到此工单。网络中断时提交的预约，将在终端恢复联网后登记。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This number cannot be looked up here. Please ask at a counter with your slip.</source>
        <translation>此工单号无法在本机查询，请持凭条到窗口咨询。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many look-ups from this terminal. Please try again in a minute.</source>
        <translation>查询过于频繁，请一分钟后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This course is no longer offered.</source>
        <translation>该课程已取消。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This course is full. Please choose another course.</source>
        <translation>该课程已约满，请选择其他课程。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have booked this course already.</source>
        <translation>您已预约过该课程。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This course has already taken place.</source>
        <translation>该课程已结束。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You can score a course from the day after it.</source>
        <translation>课程结束次日起才可评价。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have no booking on this course.</source>
        <translation>您没有预约该课程。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To book, please sign in with the tax service (your ID card while the network works, the tax app or your password).</source>
        <translation>预约需联网登录（联网时刷身份证、扫码或输入密码）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please choose a score from 1 to 5.</source>
        <translation>请选择 1 至 5 星。</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <location filename="../widgets/offline_banner.py" line="+97"/>
        <source>Network is back. Uploading saved transactions: %1</source>
        <translation>网络已恢复，正在上传 %1 笔业务</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline since %1. Transactions waiting to upload: %2</source>
        <translation>网络中断：%2 笔业务待上传（自 %1 起）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offline. Transactions waiting to upload: %1</source>
        <translation>网络中断：%1 笔业务待上传</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline since %1. Some services are unavailable.</source>
        <translation>网络中断（自 %1 起），部分业务暂不可用</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline. Some services are unavailable.</source>
        <translation>网络中断，部分业务暂不可用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The offline limit is reached: no more requests can be saved until the network is back.</source>
        <translation>离线暂存已达上限：网络恢复前无法再受理需暂存的业务。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The offline limit is nearly reached: soon no more requests can be saved.</source>
        <translation>离线暂存即将达到上限，稍后将无法再受理需暂存的业务。</translation>
    </message>
</context>
<context>
    <name>OutcomeScreen</name>
    <message>
        <location filename="../flow/outcome.py" line="+39"/>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slip printed. Please take it.</source>
        <translation>凭条已打印，请取走。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print a slip</source>
        <translation>打印凭条</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start again</source>
        <translation>重新办理</translation>
    </message>
</context>
<context>
    <name>QueuedScreen</name>
    <message>
        <location filename="../flow/notice.py" line="+27"/>
        <source>Reference: %1</source>
        <translation>受理编号：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing your slip…</source>
        <translation>正在打印凭条…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your slip has been printed. Please take it.</source>
        <translation>凭条已打印，请取走。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please write down the reference above.</source>
        <translation>请记下上面的受理编号。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request accepted</source>
        <translation>申请已受理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start again</source>
        <translation>重新办理</translation>
    </message>
</context>
<context>
    <name>SchoolFlow</name>
    <message>
        <location filename="../screens/school_courses.py" line="-221"/>
        <source>Your booking is cancelled; the seat is free again.</source>
        <translation>已取消预约，座位已释放。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thank you for your score.</source>
        <translation>感谢您的评价。</translation>
    </message>
</context>
<context>
    <name>StaffPinScreen</name>
    <message>
        <location filename="../screens/staff.py" line="+91"/>
        <source>Staff sign-in</source>
        <translation>工作人员登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter your PIN (6 to 8 digits) on the keypad, then tap Sign in. The card locks after too many wrong PINs.</source>
        <translation>请用数字键盘输入密码（6 至 8 位），然后点击“登录”。密码错误次数过多时此卡将被锁定。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel and go back</source>
        <translation>取消并返回</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Checking the PIN…</source>
        <translation>正在验证密码…</translation>
    </message>
</context>
<context>
    <name>SuggestionForm</name>
    <message>
        <location filename="../screens/suggestion_box.py" line="+61"/>
        <source>Tell us what we could do better, or share an idea. Leave a phone number if you would like an answer.</source>
        <translation>欢迎对我们的服务提出意见建议或分享您的创意。如需回复，请留下联系电话。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Suggestions and ideas</source>
        <translation>意见建议 / 创意征集</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What is it about?</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Your suggestion</source>
        <translation>您的意见或建议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone number for an answer (optional)</source>
        <translation>联系电话（选填，用于回复）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Send</source>
        <translation>提交</translation>
    </message>
</context>
<context>
    <name>SuggestionSaved</name>
    <message>
        <location line="+26"/>
        <source>Thank you</source>
        <translation>感谢您的意见建议</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your suggestion is registered under the receipt number below. This terminal sends it to the tax office at once, or as soon as the network is back.</source>
        <translation>您的意见建议已登记，受理号见下方。本机会立即提交；如网络中断，将在恢复后自动提交。</translation>
    </message>
</context>
<context>
    <name>TicketForm</name>
    <message>
        <location filename="../screens/consult_ticket.py" line="+53"/>
        <source>Looking it up, please wait…</source>
        <translation>正在查询，请稍候…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Look up a 12366 ticket</source>
        <translation>12366 工单查询</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ticket number: the 12 digits after GD on your slip</source>
        <translation>工单号：凭条上 GD 后面的 12 位数字</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
</context>
<context>
    <name>TicketResult</name>
    <message>
        <location line="+23"/>
        <source>Your 12366 ticket</source>
        <translation>您的 12366 工单</translation>
    </message>
</context>
<context>
    <name>VerifyManualScreen</name>
    <message>
        <location filename="../screens/invoice_verify.py" line="+145"/>
        <source>Type the invoice details</source>
        <translation>手工输入发票信息</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Invoice type:</source>
        <translation>发票种类：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Verify</source>
        <translation>查验</translation>
    </message>
</context>
<context>
    <name>VerifyPendingScreen</name>
    <message>
        <location line="+60"/>
        <source>The result is not back yet</source>
        <translation>查验结果尚未返回</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your request is saved and will be checked as soon as the network is back. Please scan the slip again later.</source>
        <translation>您的查验申请已保存，网络恢复后将立即查验。请稍后再扫描凭条查看结果。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
</context>
<context>
    <name>VerifyQueuedScreen</name>
    <message>
        <location line="-24"/>
        <source>Request accepted</source>
        <translation>申请已受理</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The tax service cannot be reached right now, so your request has been saved on this terminal. It will be checked automatically when the network is back. Scan the QR code on your slip at any terminal to see the result.</source>
        <translation>目前无法连接税务系统，您的申请已保存在本终端，网络恢复后将自动查验。在任一终端扫描凭条上的二维码即可查看结果。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
</context>
<context>
    <name>VerifyResultScreen</name>
    <message>
        <location line="-36"/>
        <source>Verification result</source>
        <translation>查验结果</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Print a slip</source>
        <translation>打印凭条</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Warning: the QR code&apos;s check digits do not match. It may be damaged or altered; the invoice was checked anyway.</source>
        <translation>注意：二维码的校验位不一致，二维码可能已损坏或被改动；仍已按其内容查验发票。</translation>
    </message>
</context>
<context>
    <name>VerifyScanScreen</name>
    <message>
        <location line="-107"/>
        <source>Checking, please wait…</source>
        <translation>正在查验，请稍候…</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Invoice verification</source>
        <translation>发票查验</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hold the QR code on the invoice under the scanner. To see the result of an earlier request, scan the QR code on its slip.</source>
        <translation>请将发票上的二维码对准扫描器。如需查看之前申请的结果，请扫描凭条上的二维码。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No QR code? Type the invoice details</source>
        <translation>没有二维码？手工输入发票信息</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>The scanner is not available; please type the invoice details</source>
        <translation>扫描器暂不可用，请手工输入</translation>
    </message>
</context>
<context>
    <name>VoiceGuidance</name>
    <message>
        <location filename="../voice.py" line="+368"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voice guidance (unavailable)</source>
        <translation>语音引导（不可用）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voice guidance is on</source>
        <translation>语音引导已开启</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voice guidance is off</source>
        <translation>语音引导已关闭</translation>
    </message>
</context>
</TS>
