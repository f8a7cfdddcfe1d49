import FinRecBase
/// The enterprise record: every field the eligibility rules and lenders use (Models/RULES.md, "Fields").
///
/// Money is in 万元 (10,000 CNY), as Chinese filings report it. Year suffixes count back from the
/// latest fiscal year: `_y1` is the latest (`fiscal_year`), `_y2` the one before, `_y3` the one
/// before that. Ratios are fractions (0.12 = 12%).
///
/// Each field says when the enterprise can change it (``FieldSpec/change``), which is what a gap
/// on it can promise: the figures of closed fiscal years (`_y1` … `_y3`, `fiscal_year`) only with
/// the next annual accounts; its industry, founding year, a dishonesty listing and an accident on
/// record not at all (Models/RULES.md, "Gaps"); everything else now.
package enum EnterpriseSchema {
    package static let tiers: [CategoryValue] = [
        CategoryValue("none", "无", aliases: ["无资质", "普通企业"]),
        CategoryValue("innovative", "创新型中小企业", aliases: ["创新型", "科技和创新型中小企业"]),
        CategoryValue("provincial_srdi", "省级专精特新", aliases: ["专精特新", "专精特新中小企业", "省级专精特新中小企业"]),
        CategoryValue("little_giant", "国家级小巨人", aliases: ["小巨人", "专精特新小巨人", "国家级专精特新小巨人"]),
    ]

    package static let neeqStatuses: [CategoryValue] = [
        CategoryValue("not_quoted", "未挂牌", aliases: ["无", "否"]),
        CategoryValue("basic", "基础层"),
        CategoryValue("innovation", "创新层"),
    ]

    /// 上市情况: where the firm's shares are listed, if anywhere. A listed firm is not offered
    /// an IPO board or NEEQ quotation.
    package static let listedBoards: [CategoryValue] = [
        CategoryValue("none", "未上市", aliases: ["无", "否"]),
        CategoryValue("sse_main", "沪市主板", aliases: ["上交所主板"]),
        CategoryValue("szse_main", "深市主板", aliases: ["深交所主板"]),
        CategoryValue("star", "科创板"),
        CategoryValue("chinext", "创业板"),
        CategoryValue("bse", "北交所", aliases: ["北京证券交易所"]),
        CategoryValue("hk", "港股", aliases: ["香港联交所", "香港"]),
        CategoryValue("overseas", "境外其他市场", aliases: ["境外"]),
    ]

    /// 公司类型: listing and NEEQ quotation need a joint-stock company (股份有限公司); a limited
    /// liability company converts first (股改).
    package static let companyForms: [CategoryValue] = [
        CategoryValue("limited", "有限责任公司", aliases: ["有限公司"]),
        CategoryValue("joint_stock", "股份有限公司", aliases: ["股份公司"]),
    ]

    package static let rdInstitutionLevels: [CategoryValue] = [
        CategoryValue("none", "无"),
        CategoryValue("below_municipal", "市级以下", aliases: ["县级"]),
        CategoryValue("municipal", "市级"),
        CategoryValue("provincial", "省级", aliases: ["省部级"]),
        CategoryValue("national", "国家级"),
    ]

    package static let awardLevels: [CategoryValue] = [
        CategoryValue("none", "无"),
        CategoryValue("provincial", "省级", aliases: ["省部级"]),
        CategoryValue("national", "国家级"),
    ]

    /// Shandong's 16 prefecture-level cities; other cities are accepted as text.
    package static let shandongCities = ["济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁",
                                        "泰安", "威海", "日照", "临沂", "德州", "聊城", "滨州", "菏泽"]

    static let money = -1e9...1e9
    static let nonNegativeMoney = 0.0...1e9

    package static let fields: [FieldSpec] = [
        FieldSpec("enterprise_id", "统一社会信用代码", .creditCode, required: true, aliases: ["id", "信用代码", "credit_code"],
                  "Unified social credit code (GB 32100-2015), check character validated; identifies the enterprise."),
        FieldSpec("name", "企业名称", .text(maxLength: 200), aliases: ["名称", "enterprise_name"], "Registered name."),
        FieldSpec("city", "所在城市", .text(maxLength: 50), aliases: ["城市", "地市"],
                  "City; Shandong's 16 cities (济南 … 菏泽) or any other."),
        FieldSpec("industry_code", "行业代码", .text(maxLength: 3), aliases: ["国民经济行业代码", "industry"],
                  "GB/T 4754 division: section letter and two digits, e.g. C35 (special equipment), I65 (software).").changing(.notByEnterprise),
        FieldSpec("fiscal_year", "最近会计年度", .integer(1990...2100), aliases: ["会计年度"], "The latest fiscal year, which _y1 refers to.").changing(.withAccounts),
        FieldSpec("founding_year", "成立年份", .integer(1949...2100), aliases: ["成立年度"], "Year of incorporation.").changing(.notByEnterprise),
        FieldSpec("company_form", "公司类型", .category(companyForms), aliases: ["企业类型", "公司形式"],
                  "Limited liability (有限责任公司) or joint-stock (股份有限公司); NEEQ and the exchanges take joint-stock companies only."),
        FieldSpec("certification_tier", "资质等级", .category(tiers), aliases: ["梯度培育层级", "tier"],
                  "MIIT quality-SME tier: none, innovative SME, provincial SRDI SME, national little giant."),
        FieldSpec("certification_valid_until", "资质有效期至", .date, aliases: ["有效期至"],
                  "Expiry date of the tier certificate (3 years from recognition)."),
        FieldSpec("high_tech_enterprise", "高新技术企业", .flag, aliases: ["高企"], "Holds a valid High-Tech Enterprise certificate."),
        FieldSpec("revenue_y1", "营业收入（最近一年）", .number(nonNegativeMoney, unit: "万元"), aliases: ["营业收入", "revenue"], "Operating revenue, latest year.").changing(.withAccounts),
        FieldSpec("revenue_y2", "营业收入（上一年）", .number(nonNegativeMoney, unit: "万元"), "Operating revenue, the year before.").changing(.withAccounts),
        FieldSpec("revenue_y3", "营业收入（前年）", .number(nonNegativeMoney, unit: "万元"), "Operating revenue, two years before.").changing(.withAccounts),
        FieldSpec("main_business_revenue_y1", "主营业务收入（最近一年）", .number(nonNegativeMoney, unit: "万元"), aliases: ["主营业务收入"],
                  "Main-business revenue, latest year; at most revenue_y1.").changing(.withAccounts),
        FieldSpec("main_business_revenue_y2", "主营业务收入（上一年）", .number(nonNegativeMoney, unit: "万元"), "Main-business revenue, the year before.").changing(.withAccounts),
        FieldSpec("net_profit_y1", "净利润（最近一年）", .number(money, unit: "万元"), aliases: ["净利润", "扣非净利润"],
                  "Net profit, latest year: the lower of before and after non-recurring items (扣非前后孰低).").changing(.withAccounts),
        FieldSpec("net_profit_y2", "净利润（上一年）", .number(money, unit: "万元"), "Net profit (扣非前后孰低), the year before.").changing(.withAccounts),
        FieldSpec("net_profit_y3", "净利润（前年）", .number(money, unit: "万元"), "Net profit (扣非前后孰低), two years before.").changing(.withAccounts),
        FieldSpec("rd_expense_y1", "研发费用（最近一年）", .number(nonNegativeMoney, unit: "万元"), aliases: ["研发费用", "研发投入"], "R&D expense, latest year.").changing(.withAccounts),
        FieldSpec("rd_expense_y2", "研发费用（上一年）", .number(nonNegativeMoney, unit: "万元"), "R&D expense, the year before.").changing(.withAccounts),
        FieldSpec("rd_expense_y3", "研发费用（前年）", .number(nonNegativeMoney, unit: "万元"), "R&D expense, two years before.").changing(.withAccounts),
        FieldSpec("operating_cash_flow_y1", "经营活动现金流量净额（最近一年）", .number(money, unit: "万元"), aliases: ["经营活动现金流量净额"],
                  "Net operating cash flow, latest year.").changing(.withAccounts),
        FieldSpec("operating_cash_flow_y2", "经营活动现金流量净额（上一年）", .number(money, unit: "万元"), "Net operating cash flow, the year before.").changing(.withAccounts),
        FieldSpec("operating_cash_flow_y3", "经营活动现金流量净额（前年）", .number(money, unit: "万元"), "Net operating cash flow, two years before.").changing(.withAccounts),
        FieldSpec("total_assets", "资产总额", .number(nonNegativeMoney, unit: "万元"), aliases: ["总资产"], "Total assets at the latest year-end."),
        FieldSpec("total_liabilities", "负债总额", .number(nonNegativeMoney, unit: "万元"), aliases: ["总负债"], "Total liabilities at the latest year-end."),
        FieldSpec("net_assets", "净资产", .number(money, unit: "万元"), aliases: ["所有者权益"],
                  "Net assets at the latest year-end; must equal total_assets − total_liabilities within 1%."),
        FieldSpec("weighted_roe_y1", "加权平均净资产收益率（最近一年）", .ratio(-5...5), aliases: ["加权平均净资产收益率", "roe"],
                  "Weighted average ROE (扣非前后孰低), latest year.").changing(.withAccounts),
        FieldSpec("weighted_roe_y2", "加权平均净资产收益率（上一年）", .ratio(-5...5), "Weighted average ROE, the year before.").changing(.withAccounts),
        FieldSpec("share_capital", "股本", .number(0...1e8, unit: "万元"), aliases: ["注册资本", "股本总额"], "Share capital (paid-in)."),
        FieldSpec("employees", "职工人数", .integer(1...1_000_000), aliases: ["从业人员", "员工人数"], "Employees at the latest year-end."),
        FieldSpec("rd_staff", "研发人员数", .integer(0...1_000_000), aliases: ["研发人员"], "R&D personnel; at most employees."),
        FieldSpec("invention_patents", "发明专利数", .integer(0...100_000), aliases: ["授权发明专利"],
                  "Granted invention patents related to the main business."),
        FieldSpec("class1_ip", "一类知识产权数", .integer(0...100_000), aliases: ["I类知识产权"],
                  "Class-I IP (invention patents, plant varieties, IC layouts, new drugs) related to the lead product."),
        FieldSpec("class1_ip_self_filed", "自主申请一类知识产权数", .integer(0...100_000),
                  "Class-I IP the firm filed itself (not transferred in), as the 2026 SRDI rules count it."),
        FieldSpec("class2_ip", "二类知识产权数", .integer(0...100_000), aliases: ["II类知识产权"],
                  "Class-II IP (utility models, designs, software copyrights)."),
        FieldSpec("pledgeable_patents", "可质押专利数", .integer(0...100_000),
                  "Invention patents with clear title, not already pledged, in production use."),
        FieldSpec("patent_remaining_years", "专利剩余有效期（年）", .number(0...20, unit: "years"),
                  "Remaining life of the pledgeable patents (the longest), in years."),
        FieldSpec("rd_institution_level", "研发机构级别", .category(rdInstitutionLevels), aliases: ["研发机构"],
                  "Highest level of the firm's own or joint R&D institution."),
        FieldSpec("st_award_level", "科技奖励级别", .category(awardLevels), aliases: ["科技奖励"],
                  "Highest S&T award in the last 3 years with the firm among the top winning units."),
        FieldSpec("digitalisation_level", "数字化水平等级", .integer(0...6), aliases: ["数字化水平"],
                  "SME digital-transformation level (0 none … 6)."),
        FieldSpec("key_chain_member", "重点产业链企业", .flag, aliases: ["产业链"], "In a Shandong key industrial chain (链主 or supporting)."),
        FieldSpec("strategic_emerging", "战略性新兴产业", .flag, "Lead product in the Strategic Emerging Industries Classification."),
        FieldSpec("niche_years", "细分市场年限", .number(0...100, unit: "years"), aliases: ["从事细分市场年限"],
                  "Years in the specific niche market at the latest year-end."),
        FieldSpec("niche_market_share", "细分市场占有率", .ratio(0...1), aliases: ["市场占有率"],
                  "Lead product's domestic niche market share."),
        FieldSpec("neeq_status", "新三板挂牌状态", .category(neeqStatuses), aliases: ["新三板"],
                  "NEEQ (新三板) quotation: not quoted, basic tier, innovation tier."),
        FieldSpec("neeq_months", "新三板挂牌月数", .integer(0...600), aliases: ["挂牌月数"],
                  "Months quoted on NEEQ (basic and innovation tier time add up)."),
        FieldSpec("regional_equity_listed", "区域性股权市场挂牌", .flag, aliases: ["区域股权市场"],
                  "Shown on a regional equity market (e.g. 齐鲁股权交易中心)."),
        FieldSpec("regional_srdi_board", "区域性股权市场专精特新专板挂牌", .flag, aliases: ["专精特新专板"],
                  "Shown on the 专精特新 board (专板) of a regional equity market; firms on its other boards may transfer in."),
        FieldSpec("listed_board", "上市情况", .category(listedBoards), aliases: ["上市板块", "已上市"],
                  "Where the shares are listed: none, sse_main, szse_main, star, chinext, bse, hk, overseas. A listed firm is not offered an IPO board or NEEQ quotation; when absent the firm is taken as not listed, with a warning."),
        FieldSpec("listing_reserve_pool", "上市后备资源库", .flag, aliases: ["上市后备"],
                  "In Shandong's listing reserve pool (上市后备资源库)."),
        FieldSpec("expected_market_value", "预计市值", .number(nonNegativeMoney, unit: "万元"), aliases: ["市值"],
                  "Expected market value at the offering price, for listing standards."),
        FieldSpec("equity_financing_2y", "近两年股权融资额", .number(nonNegativeMoney, unit: "万元"), aliases: ["股权融资"],
                  "New equity from qualified investors (paid-in) in the last 2 years."),
        FieldSpec("overdue_24m", "近24个月逾期次数", .integer(0...1000), aliases: ["逾期次数"],
                  "Overdue repayments in the last 24 months (firm and actual controller)."),
        FieldSpec("special_mention_loans", "关注或不良贷款", .flag, aliases: ["关注类贷款", "不良贷款"],
                  "Has loans classed special-mention (关注) or non-performing (不良) outstanding."),
        FieldSpec("maturing_loan", "30日内到期流动资金贷款", .number(nonNegativeMoney, unit: "万元"), aliases: ["到期贷款"],
                  "Bank working-capital loans maturing within 30 days (0 when none): what a bridge fund (应急转贷) repays."),
        FieldSpec("renewal_commitment", "银行续贷承诺", .flag, aliases: ["续贷承诺"],
                  "The lending bank has agreed in writing to renew the maturing loan (续贷承诺), which bridge funds require."),
        FieldSpec("tech_sme_listed", "科技型中小企业入库", .flag, aliases: ["科技型中小企业"],
                  "On this year's national list of technology-based SMEs (科技型中小企业, evaluated by the Ministry of Science and Technology); 鲁科贷 lends to them."),
        FieldSpec("receivables_confirmed", "核心企业确权应收账款", .number(nonNegativeMoney, unit: "万元"), aliases: ["确权应收账款"],
                  "Outstanding receivables a core enterprise has confirmed (确权), e.g. on the PBoC receivables financing platform (应收账款融资服务平台); 0 when none."),
        FieldSpec("core_enterprise_id", "确权核心企业信用代码", .creditCode, aliases: ["核心企业信用代码"],
                  "Unified social credit code of the core enterprise that confirmed the receivables."),
        FieldSpec("procurement_contract_amount", "在履行政府采购合同金额", .number(nonNegativeMoney, unit: "万元"), aliases: ["政府采购合同金额"],
                  "Won government-procurement contracts not yet completed (政采贷 lends against them); 0 when none."),
        FieldSpec("procurement_contract_end", "政府采购合同履行截止日", .date, aliases: ["采购合同截止日"],
                  "End date of the latest-ending such contract; a contract that has ended does not count."),
        FieldSpec("techreno_project", "省重大技改项目", .flag, aliases: ["技改项目"],
                  "Has a project on Shandong's list of major industrial technical-renovation projects (重大技改项目)."),
        FieldSpec("requested_amount", "申请金额", .number(0.01...1e7, unit: "万元"), aliases: ["申请额度", "贷款金额"],
                  "The amount the enterprise asks for, the basis of each loan's cost; empty: each offer's typical amount."),
        FieldSpec("requested_term_months", "申请期限（月）", .integer(1...360), aliases: ["申请期限", "贷款期限"],
                  "The term asked for, in months; empty: each offer's typical term."),
        FieldSpec("abnormal_or_dishonest", "经营异常或失信", .flag, aliases: ["失信"],
                  "On the abnormal-operation list (经营异常名录) or the serious-dishonesty list (严重失信主体名单).").changing(.notByEnterprise),
        FieldSpec("major_accident_3y", "近三年重大事故", .flag, aliases: ["重大事故"],
                  "A major safety, quality or environmental accident in the last 3 years.").changing(.notByEnterprise),
    ]

    /// Cross-field checks. Each catches a record that is internally impossible, which a
    /// spreadsheet export can produce and a model would otherwise score silently.
    package static let rowChecks: [RowCheck] = [
        RowCheck("R&D staff ≤ employees", fields: ["rd_staff", "employees"]) { v in
            guard let staff = v[0], let employees = v[1], staff > employees else { return nil }
            return ("rd_staff", "R&D staff \(Int(staff)) exceeds employees \(Int(employees))")
        },
        RowCheck("main-business revenue ≤ revenue", fields: ["main_business_revenue_y1", "revenue_y1"]) { v in
            guard let main = v[0], let revenue = v[1], main > revenue * 1.001 + 1 else { return nil }
            return ("main_business_revenue_y1", "main-business revenue \(main) exceeds revenue \(revenue)")
        },
        RowCheck("net assets = total assets − total liabilities (within 1%)",
                 fields: ["total_assets", "total_liabilities", "net_assets"]) { v in
            guard let assets = v[0], let liabilities = v[1], let net = v[2] else { return nil }
            let expected = assets - liabilities
            guard abs(net - expected) > max(1, 0.01 * assets) else { return nil }
            return ("net_assets", "net assets \(net) differ from total assets − total liabilities = \(expected)")
        },
        RowCheck("founding year ≤ fiscal year", fields: ["founding_year", "fiscal_year"]) { v in
            guard let founded = v[0], let fiscal = v[1], founded > fiscal else { return nil }
            return ("founding_year", "founding year \(Int(founded)) is after the fiscal year \(Int(fiscal))")
        },
        RowCheck("invention patents ≤ Class-I IP; pledgeable ≤ invention patents; self-filed ≤ Class-I IP",
                 fields: ["invention_patents", "class1_ip", "pledgeable_patents", "class1_ip_self_filed"]) { v in
            if let inv = v[0], let c1 = v[1], inv > c1 {
                return ("class1_ip", "Class-I IP \(Int(c1)) is fewer than the invention patents \(Int(inv)) it includes")
            }
            if let p = v[2], let inv = v[0], p > inv {
                return ("pledgeable_patents", "pledgeable patents \(Int(p)) exceed invention patents \(Int(inv))")
            }
            if let s = v[3], let c1 = v[1], s > c1 {
                return ("class1_ip_self_filed", "self-filed Class-I IP \(Int(s)) exceeds Class-I IP \(Int(c1))")
            }
            return nil
        },
        RowCheck("NEEQ quotation only as a joint-stock company", fields: ["neeq_status", "company_form"]) { v in
            guard let status = v[0], status > 0, let form = v[1], form == 0 else { return nil }
            return ("company_form", "quoted on NEEQ, which only joint-stock companies (股份有限公司) are, but company_form is limited")
        },
        RowCheck("A-share listing only as a joint-stock company", fields: ["listed_board", "company_form"]) { v in
            guard let board = v[0], (1...5).contains(board), let form = v[1], form == 0 else { return nil }
            return ("company_form", "listed on a mainland exchange, which only joint-stock companies (股份有限公司) are, but company_form is limited")
        },
        RowCheck("the regional SRDI board is part of a regional equity market", fields: ["regional_srdi_board", "regional_equity_listed"]) { v in
            guard let board = v[0], board == 1, let regional = v[1], regional == 0 else { return nil }
            return ("regional_equity_listed", "on a regional market's 专精特新 board (regional_srdi_board = 1) but regional_equity_listed is 0")
        },
        RowCheck("NEEQ months only when quoted", fields: ["neeq_status", "neeq_months"]) { v in
            guard let status = v[0], status == 0, let months = v[1], months > 0 else { return nil }
            return ("neeq_months", "\(Int(months)) months quoted on NEEQ, but neeq_status is not_quoted")
        },
    ]

    package static let schema = RecordSchema(name: "enterprise", fields: fields, rowChecks: rowChecks, idField: "enterprise_id")
}
