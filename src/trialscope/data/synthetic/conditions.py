"""Curated condition catalogue for the synthetic registry, written for this project.

MeSH descriptor ids are the real ones for each term, so synthetic trials link to the same ontology
ids as registry records. Agents are real generic names grouped by class; doses are plausible labels,
not dosing advice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InterventionClass:
    """A family of interventions studied for a condition (e.g. SGLT2 inhibitors)."""

    name: str
    kind: str
    agents: tuple[str, ...]
    doses: tuple[str, ...]
    class_outcome: str


@dataclass(frozen=True)
class Condition:
    """A condition with everything the generator needs to write trials about it."""

    name: str
    mesh_id: str
    mesh_term: str
    area: str
    classes: tuple[InterventionClass, ...]
    efficacy_outcomes: tuple[str, ...]
    secondary_outcomes: tuple[str, ...]
    inclusion: tuple[str, ...]
    exclusion: tuple[str, ...]
    enrollment_scale: float
    pediatric: bool = False


def _drug(
    name: str, agents: tuple[str, ...], outcome: str, doses: tuple[str, ...] = ()
) -> InterventionClass:
    return InterventionClass(
        name, "DRUG", agents, doses or ("low dose", "standard dose", "high dose"), outcome
    )


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "Type 2 Diabetes Mellitus", "D003924", "Diabetes Mellitus, Type 2", "cardiometabolic",
        (
            _drug("SGLT2 inhibitor", ("empagliflozin", "dapagliflozin", "canagliflozin"),
                  "Change in body weight", ("10 mg once daily", "25 mg once daily")),
            _drug("GLP-1 receptor agonist", ("semaglutide", "liraglutide", "dulaglutide"),
                  "Proportion of participants reaching HbA1c below 7.0%",
                  ("0.5 mg weekly", "1.0 mg weekly", "1.8 mg daily")),
            _drug("DPP-4 inhibitor", ("sitagliptin", "linagliptin", "saxagliptin"),
                  "Change in fasting plasma glucose", ("5 mg once daily", "100 mg once daily")),
        ),
        ("Change from baseline in HbA1c", "Change in fasting plasma glucose"),
        ("Incidence of hypoglycaemia", "Change in body weight", "Change in systolic blood pressure"),
        ("HbA1c between 7.0% and 10.5% at screening",
         "Stable dose of metformin (at least 1500 mg/day) for at least 8 weeks",
         "Body mass index between 23 and 45 kg/m2"),
        ("Type 1 diabetes or history of diabetic ketoacidosis",
         "eGFR below 30 mL/min/1.73 m2", "Treatment with insulin within the past 3 months"),
        1.0,
    ),
    Condition(
        "Hypertension", "D006973", "Hypertension", "cardiometabolic",
        (
            _drug("angiotensin receptor blocker", ("valsartan", "losartan", "olmesartan"),
                  "Change in 24-hour ambulatory systolic blood pressure",
                  ("80 mg daily", "160 mg daily")),
            _drug("calcium channel blocker", ("amlodipine", "nifedipine"),
                  "Change in mean sitting diastolic blood pressure", ("5 mg daily", "10 mg daily")),
            InterventionClass("lifestyle programme", "BEHAVIORAL",
                              ("DASH diet counselling", "home blood pressure telemonitoring"),
                              ("weekly sessions", "monthly sessions"),
                              "Proportion with controlled blood pressure"),
        ),
        ("Change from baseline in mean sitting systolic blood pressure",),
        ("Proportion of participants reaching blood pressure below 140/90 mmHg",
         "Change in diastolic blood pressure", "Incidence of peripheral oedema"),
        ("Mean sitting systolic blood pressure 140-179 mmHg",
         "Untreated or on a stable antihypertensive regimen for 4 weeks"),
        ("Secondary hypertension", "Myocardial infarction or stroke within 6 months",
         "Serum potassium above 5.5 mmol/L"),
        0.9,
    ),
    Condition(
        "Heart Failure", "D006333", "Heart Failure", "cardiometabolic",
        (
            _drug("SGLT2 inhibitor", ("empagliflozin", "dapagliflozin"),
                  "Change in Kansas City Cardiomyopathy Questionnaire score", ("10 mg once daily",)),
            _drug("mineralocorticoid receptor antagonist", ("spironolactone", "eplerenone",
                                                            "finerenone"),
                  "Change in NT-proBNP", ("25 mg daily", "50 mg daily")),
            InterventionClass("implantable device", "DEVICE",
                              ("cardiac resynchronisation therapy", "cardiac contractility modulation"),
                              ("standard programming",), "Change in left ventricular ejection fraction"),
        ),
        ("Time to first heart failure hospitalisation or cardiovascular death",
         "Change in 6-minute walk distance"),
        ("All-cause mortality", "Change in NT-proBNP", "Number of heart failure hospitalisations"),
        ("Left ventricular ejection fraction of 40% or less", "NYHA class II-IV symptoms",
         "Elevated NT-proBNP at screening"),
        ("Acute decompensated heart failure at randomisation", "Systolic blood pressure below 95 mmHg",
         "Planned heart transplantation"),
        2.5,
    ),
    Condition(
        "Atrial Fibrillation", "D001281", "Atrial Fibrillation", "cardiometabolic",
        (
            _drug("direct oral anticoagulant", ("apixaban", "rivaroxaban", "edoxaban"),
                  "Incidence of stroke or systemic embolism", ("5 mg twice daily", "20 mg daily")),
            InterventionClass("catheter ablation", "PROCEDURE",
                              ("pulmonary vein isolation", "cryoballoon ablation"),
                              ("single procedure",), "Freedom from atrial arrhythmia at 12 months"),
        ),
        ("Time to first recurrence of atrial fibrillation",),
        ("Major bleeding events", "Quality of life (AFEQT score)", "Hospitalisation for arrhythmia"),
        ("Documented paroxysmal or persistent atrial fibrillation", "CHA2DS2-VASc score of 2 or more"),
        ("Reversible cause of atrial fibrillation", "Mechanical heart valve",
         "Active bleeding or high bleeding risk"),
        2.0,
    ),
    Condition(
        "Breast Cancer", "D001943", "Breast Neoplasms", "oncology",
        (
            _drug("CDK4/6 inhibitor", ("palbociclib", "ribociclib", "abemaciclib"),
                  "Progression-free survival", ("125 mg daily", "600 mg daily")),
            InterventionClass("HER2-targeted antibody", "BIOLOGICAL",
                              ("trastuzumab", "pertuzumab", "trastuzumab deruxtecan"),
                              ("every 3 weeks",), "Pathological complete response"),
            _drug("aromatase inhibitor", ("letrozole", "anastrozole", "exemestane"),
                  "Invasive disease-free survival", ("2.5 mg daily", "1 mg daily")),
        ),
        ("Progression-free survival", "Overall survival"),
        ("Objective response rate", "Duration of response", "Incidence of grade 3 or higher adverse events"),
        ("Histologically confirmed breast adenocarcinoma", "ECOG performance status 0-1",
         "Measurable disease per RECIST 1.1"),
        ("Symptomatic brain metastases", "Prior treatment with the study drug class",
         "Left ventricular ejection fraction below 50%"),
        1.4,
    ),
    Condition(
        "Non-Small Cell Lung Cancer", "D002289", "Carcinoma, Non-Small-Cell Lung", "oncology",
        (
            InterventionClass("PD-1/PD-L1 inhibitor", "BIOLOGICAL",
                              ("pembrolizumab", "nivolumab", "atezolizumab", "durvalumab"),
                              ("200 mg every 3 weeks", "240 mg every 2 weeks"), "Overall survival"),
            _drug("EGFR tyrosine kinase inhibitor", ("osimertinib", "gefitinib", "erlotinib"),
                  "Progression-free survival", ("80 mg daily", "250 mg daily")),
        ),
        ("Overall survival", "Progression-free survival"),
        ("Objective response rate", "Time to deterioration in lung cancer symptoms",
         "Incidence of immune-related adverse events"),
        ("Stage IIIB-IV non-small cell lung cancer", "ECOG performance status 0-1",
         "At least one measurable lesion per RECIST 1.1"),
        ("Active autoimmune disease requiring systemic treatment", "Untreated CNS metastases",
         "Interstitial lung disease or pneumonitis"),
        1.3,
    ),
    Condition(
        "Prostate Cancer", "D011471", "Prostatic Neoplasms", "oncology",
        (
            _drug("androgen receptor inhibitor", ("enzalutamide", "apalutamide", "darolutamide"),
                  "Metastasis-free survival", ("160 mg daily", "240 mg daily")),
            InterventionClass("radiotherapy schedule", "RADIATION",
                              ("hypofractionated radiotherapy", "stereotactic body radiotherapy"),
                              ("5 fractions", "20 fractions"), "Biochemical recurrence-free survival"),
        ),
        ("Radiographic progression-free survival", "PSA response rate"),
        ("Time to PSA progression", "Overall survival", "Patient-reported urinary toxicity"),
        ("Histologically confirmed adenocarcinoma of the prostate", "Rising PSA despite castrate testosterone"),
        ("Prior chemotherapy for prostate cancer", "History of seizure", "Small cell histology"),
        1.3,
    ),
    Condition(
        "Colorectal Cancer", "D015179", "Colorectal Neoplasms", "oncology",
        (
            InterventionClass("anti-VEGF antibody", "BIOLOGICAL", ("bevacizumab", "ramucirumab"),
                              ("5 mg/kg every 2 weeks",), "Progression-free survival"),
            _drug("fluoropyrimidine chemotherapy", ("capecitabine", "FOLFOX", "trifluridine/tipiracil"),
                  "Disease-free survival", ("1000 mg/m2 twice daily", "standard cycles")),
        ),
        ("Overall survival", "Disease-free survival"),
        ("Objective response rate", "Rate of R0 resection", "Peripheral neuropathy incidence"),
        ("Histologically confirmed colorectal adenocarcinoma", "Adequate bone marrow, liver and renal function"),
        ("Known dihydropyrimidine dehydrogenase deficiency", "Bowel obstruction", "Prior anti-VEGF therapy"),
        1.1,
    ),
    Condition(
        "Acute Myeloid Leukemia", "D015470", "Leukemia, Myeloid, Acute", "oncology",
        (
            _drug("BCL-2 inhibitor", ("venetoclax",), "Complete remission rate", ("400 mg daily",)),
            _drug("FLT3 inhibitor", ("midostaurin", "gilteritinib", "quizartinib"),
                  "Event-free survival", ("50 mg twice daily", "120 mg daily")),
        ),
        ("Complete remission rate", "Overall survival"),
        ("Duration of remission", "Minimal residual disease negativity", "30-day mortality"),
        ("Newly diagnosed acute myeloid leukaemia per WHO criteria", "Adequate organ function"),
        ("Acute promyelocytic leukaemia", "Active CNS involvement", "Prior stem cell transplantation"),
        0.6, True,
    ),
    Condition(
        "Asthma", "D001249", "Asthma", "respiratory",
        (
            InterventionClass("anti-IL-5 antibody", "BIOLOGICAL", ("mepolizumab", "benralizumab",
                                                                    "reslizumab"),
                              ("100 mg every 4 weeks", "30 mg every 8 weeks"),
                              "Annualised rate of severe exacerbations"),
            _drug("inhaled corticosteroid/LABA", ("budesonide/formoterol", "fluticasone/salmeterol"),
                  "Change in trough FEV1", ("160/4.5 ug twice daily", "250/50 ug twice daily")),
        ),
        ("Change from baseline in pre-bronchodilator FEV1", "Annualised rate of severe exacerbations"),
        ("Asthma Control Questionnaire score", "Rescue medication use", "Blood eosinophil count"),
        ("Physician-diagnosed asthma for at least 12 months",
         "At least two exacerbations requiring systemic corticosteroids in the past year"),
        ("Current smoker or smoking history above 10 pack-years",
         "Respiratory infection within 4 weeks of screening", "Other clinically significant lung disease"),
        1.0, True,
    ),
    Condition(
        "Chronic Obstructive Pulmonary Disease", "D029424", "Pulmonary Disease, Chronic Obstructive",
        "respiratory",
        (
            _drug("long-acting muscarinic antagonist", ("tiotropium", "umeclidinium", "glycopyrronium"),
                  "Change in trough FEV1", ("18 ug once daily", "62.5 ug once daily")),
            InterventionClass("pulmonary rehabilitation", "BEHAVIORAL",
                              ("supervised exercise training", "home-based rehabilitation"),
                              ("8 weeks", "12 weeks"), "Change in 6-minute walk distance"),
        ),
        ("Rate of moderate or severe COPD exacerbations", "Change in trough FEV1"),
        ("St George's Respiratory Questionnaire score", "Time to first exacerbation", "Dyspnoea (mMRC)"),
        ("Post-bronchodilator FEV1/FVC below 0.70", "Smoking history of at least 10 pack-years"),
        ("Primary diagnosis of asthma", "Long-term oxygen therapy above 15 hours per day",
         "Lung volume reduction surgery within 12 months"),
        1.3,
    ),
    Condition(
        "Major Depressive Disorder", "D003865", "Depressive Disorder, Major", "neuropsychiatry",
        (
            _drug("SSRI", ("escitalopram", "sertraline", "fluoxetine"),
                  "Response rate (50% reduction in MADRS)", ("10 mg daily", "20 mg daily", "50 mg daily")),
            _drug("rapid-acting antidepressant", ("esketamine", "psilocybin", "zuranolone"),
                  "Change in MADRS total score at 24 hours", ("56 mg intranasal", "25 mg single dose")),
            InterventionClass("psychotherapy", "BEHAVIORAL",
                              ("cognitive behavioural therapy", "internet-delivered CBT",
                               "behavioural activation"),
                              ("12 weekly sessions", "8 sessions"), "Remission rate (PHQ-9 below 5)"),
        ),
        ("Change from baseline in MADRS total score", "Change in HAM-D17 total score"),
        ("Remission rate", "Clinical Global Impression - Severity", "Suicidal ideation (C-SSRS)"),
        ("DSM-5 diagnosis of major depressive disorder", "MADRS total score of 22 or more at screening"),
        ("Bipolar disorder or psychotic features", "Substance use disorder within 6 months",
         "Significant risk of suicide"),
        0.7,
    ),
    Condition(
        "Schizophrenia", "D012559", "Schizophrenia", "neuropsychiatry",
        (
            _drug("second-generation antipsychotic", ("aripiprazole", "paliperidone", "lurasidone",
                                                      "brexpiprazole"),
                  "Time to relapse", ("10 mg daily", "long-acting injection monthly")),
            _drug("muscarinic agonist", ("xanomeline/trospium", "emraclidine"),
                  "Change in PANSS total score", ("50/20 mg twice daily", "30 mg daily")),
        ),
        ("Change from baseline in PANSS total score",),
        ("Clinical Global Impression - Improvement", "Weight gain", "Extrapyramidal symptoms"),
        ("DSM-5 diagnosis of schizophrenia", "Acute exacerbation requiring hospitalisation"),
        ("Treatment-resistant schizophrenia", "Substance-induced psychosis", "QTcF above 450 ms"),
        0.7,
    ),
    Condition(
        "Alzheimer Disease", "D000544", "Alzheimer Disease", "neurology",
        (
            InterventionClass("anti-amyloid antibody", "BIOLOGICAL",
                              ("lecanemab", "donanemab", "aducanumab", "gantenerumab"),
                              ("10 mg/kg every 2 weeks", "monthly infusion"),
                              "Change in amyloid PET centiloid"),
            _drug("cholinesterase inhibitor", ("donepezil", "rivastigmine", "galantamine"),
                  "Change in ADAS-Cog score", ("5 mg daily", "10 mg daily")),
        ),
        ("Change from baseline in CDR-SB", "Change in ADAS-Cog13 score"),
        ("Amyloid-related imaging abnormalities", "Change in ADCS-ADL score", "Change in MMSE"),
        ("Mild cognitive impairment or mild dementia due to Alzheimer disease",
         "Amyloid positivity on PET or CSF", "Study partner available"),
        ("Other neurodegenerative disease", "More than 4 cerebral microhaemorrhages on MRI",
         "Anticoagulant therapy"),
        1.1,
    ),
    Condition(
        "Parkinson Disease", "D010300", "Parkinson Disease", "neurology",
        (
            _drug("dopaminergic therapy", ("levodopa/carbidopa extended release", "rotigotine",
                                           "opicapone"),
                  "Change in daily OFF time", ("50 mg daily", "transdermal patch")),
            InterventionClass("exercise programme", "BEHAVIORAL",
                              ("high-intensity treadmill training", "tai chi"), ("3 times weekly",),
                              "Change in MDS-UPDRS Part III score"),
        ),
        ("Change from baseline in MDS-UPDRS Part III score", "Change in daily OFF time"),
        ("PDQ-39 quality of life", "Dyskinesia rating", "Falls per month"),
        ("Idiopathic Parkinson disease, Hoehn and Yahr stage 1-3", "Stable medication for 4 weeks"),
        ("Atypical parkinsonism", "Deep brain stimulation", "Dementia (MoCA below 21)"),
        0.6,
    ),
    Condition(
        "Migraine", "D008881", "Migraine Disorders", "neurology",
        (
            InterventionClass("anti-CGRP antibody", "BIOLOGICAL",
                              ("erenumab", "fremanezumab", "galcanezumab"),
                              ("70 mg monthly", "140 mg monthly"), "50% responder rate"),
            _drug("gepant", ("rimegepant", "ubrogepant", "atogepant"),
                  "Pain freedom at 2 hours post-dose", ("75 mg as needed", "60 mg daily")),
        ),
        ("Change from baseline in monthly migraine days",),
        ("50% responder rate", "Acute medication use days", "Migraine Disability Assessment score"),
        ("History of migraine for at least 12 months", "4 to 14 migraine days per month at baseline"),
        ("Medication overuse headache", "Cluster headache", "Uncontrolled hypertension"),
        0.9,
    ),
    Condition(
        "Epilepsy", "D004827", "Epilepsy", "neurology",
        (
            _drug("adjunctive antiseizure medication", ("cenobamate", "brivaracetam", "lacosamide",
                                                        "perampanel"),
                  "50% responder rate", ("200 mg daily", "100 mg twice daily")),
            InterventionClass("neurostimulation", "DEVICE",
                              ("vagus nerve stimulation", "responsive neurostimulation"),
                              ("standard settings",), "Seizure freedom rate"),
        ),
        ("Percent change in focal seizure frequency per 28 days",),
        ("Seizure freedom rate", "Treatment-emergent adverse events", "Quality of Life in Epilepsy-31"),
        ("Focal epilepsy uncontrolled on 1-3 antiseizure medications",
         "At least 4 focal seizures per month during baseline"),
        ("Status epilepticus within 12 months", "Psychogenic non-epileptic seizures",
         "Progressive CNS disease"),
        0.6, True,
    ),
    Condition(
        "Rheumatoid Arthritis", "D001172", "Arthritis, Rheumatoid", "immunology",
        (
            _drug("JAK inhibitor", ("tofacitinib", "baricitinib", "upadacitinib"),
                  "DAS28-CRP remission rate", ("5 mg twice daily", "15 mg daily")),
            InterventionClass("TNF inhibitor", "BIOLOGICAL", ("adalimumab", "etanercept",
                                                             "certolizumab pegol"),
                              ("40 mg every other week", "50 mg weekly"), "ACR50 response rate"),
        ),
        ("ACR20 response rate", "Change from baseline in DAS28-CRP"),
        ("HAQ-DI change", "Radiographic progression (mTSS)", "Serious infections"),
        ("Rheumatoid arthritis per 2010 ACR/EULAR criteria", "At least 6 tender and 6 swollen joints",
         "Inadequate response to methotrexate"),
        ("Active or latent tuberculosis", "Prior biologic failure", "History of herpes zoster"),
        0.9,
    ),
    Condition(
        "Psoriasis", "D011565", "Psoriasis", "immunology",
        (
            InterventionClass("IL-23 inhibitor", "BIOLOGICAL", ("guselkumab", "risankizumab",
                                                               "tildrakizumab"),
                              ("100 mg every 8 weeks", "150 mg every 12 weeks"), "PASI 100 response"),
            InterventionClass("IL-17 inhibitor", "BIOLOGICAL", ("secukinumab", "ixekizumab",
                                                               "bimekizumab"),
                              ("300 mg monthly", "160 mg every 4 weeks"), "PASI 90 response at week 16"),
            _drug("topical therapy", ("calcipotriol/betamethasone foam", "tapinarof cream",
                                      "roflumilast cream"),
                  "Physician Global Assessment success", ("once daily",)),
        ),
        ("Proportion achieving PASI 75 at week 16", "Static Physician Global Assessment 0/1"),
        ("PASI 90 response", "Dermatology Life Quality Index", "Itch numeric rating scale"),
        ("Chronic plaque psoriasis for at least 6 months", "PASI of 12 or more and BSA of 10% or more"),
        ("Erythrodermic or pustular psoriasis", "Active tuberculosis", "Prior IL-17 or IL-23 therapy"),
        0.9, True,
    ),
    Condition(
        "Atopic Dermatitis", "D003876", "Dermatitis, Atopic", "immunology",
        (
            InterventionClass("IL-4/IL-13 antibody", "BIOLOGICAL", ("dupilumab", "tralokinumab",
                                                                   "lebrikizumab"),
                              ("300 mg every 2 weeks",), "Change in EASI score"),
            _drug("topical calcineurin inhibitor", ("tacrolimus ointment", "pimecrolimus cream"),
                  "Investigator Global Assessment success", ("0.1% twice daily", "1% twice daily")),
        ),
        ("Proportion achieving EASI-75 at week 16", "IGA 0/1 with 2-point improvement"),
        ("Peak pruritus NRS improvement", "Conjunctivitis incidence", "Sleep disturbance score"),
        ("Moderate-to-severe atopic dermatitis for at least 1 year", "EASI score of 16 or more"),
        ("Active skin infection", "Use of systemic immunosuppressants within 4 weeks"),
        0.8, True,
    ),
    Condition(
        "Ulcerative Colitis", "D003093", "Colitis, Ulcerative", "immunology",
        (
            InterventionClass("anti-integrin antibody", "BIOLOGICAL", ("vedolizumab", "etrolizumab"),
                              ("300 mg IV", "108 mg subcutaneous"), "Endoscopic improvement"),
            _drug("S1P receptor modulator", ("ozanimod", "etrasimod"),
                  "Clinical remission at week 52", ("0.92 mg daily", "2 mg daily")),
        ),
        ("Clinical remission per modified Mayo score at week 12",),
        ("Endoscopic improvement", "Histologic remission", "Corticosteroid-free remission"),
        ("Moderately to severely active ulcerative colitis (modified Mayo 5-9)",
         "Inadequate response to conventional therapy"),
        ("Crohn disease or indeterminate colitis", "Toxic megacolon", "Clostridioides difficile infection"),
        0.9, True,
    ),
    Condition(
        "Multiple Sclerosis", "D009103", "Multiple Sclerosis", "neurology",
        (
            InterventionClass("anti-CD20 antibody", "BIOLOGICAL", ("ocrelizumab", "ofatumumab",
                                                                  "ublituximab"),
                              ("600 mg every 6 months", "20 mg monthly"), "Annualised relapse rate"),
            _drug("BTK inhibitor", ("tolebrutinib", "evobrutinib", "fenebrutinib"),
                  "Time to confirmed disability progression", ("60 mg daily", "45 mg twice daily")),
        ),
        ("Annualised relapse rate", "Time to 12-week confirmed disability progression"),
        ("New or enlarging T2 lesions on MRI", "Change in EDSS", "Serum neurofilament light"),
        ("Relapsing multiple sclerosis per 2017 McDonald criteria", "EDSS score 0 to 5.5"),
        ("Progressive multifocal leukoencephalopathy history", "Active hepatitis B infection"),
        1.1,
    ),
    Condition(
        "HIV Infections", "D015658", "HIV Infections", "infectious",
        (
            _drug("integrase inhibitor regimen", ("dolutegravir/lamivudine", "bictegravir/emtricitabine/"
                                                  "tenofovir alafenamide", "cabotegravir"),
                  "HIV-1 RNA below 50 copies/mL at week 48", ("single tablet daily",
                                                             "long-acting injection every 2 months")),
            InterventionClass("adherence intervention", "BEHAVIORAL",
                              ("SMS adherence reminders", "peer navigation"), ("6 months",),
                              "Self-reported adherence"),
        ),
        ("Proportion with HIV-1 RNA below 50 copies/mL at week 48",),
        ("Change in CD4+ cell count", "Emergent resistance", "Change in fasting lipids"),
        ("HIV-1 infection with plasma RNA above 1000 copies/mL", "Antiretroviral-naive or virologically "
         "suppressed on a stable regimen"),
        ("Active hepatitis B co-infection", "Known integrase resistance mutations", "Pregnancy"),
        1.2,
    ),
    Condition(
        "COVID-19", "D000086382", "COVID-19", "infectious",
        (
            _drug("oral antiviral", ("nirmatrelvir/ritonavir", "molnupiravir", "ensitrelvir"),
                  "Time to sustained symptom resolution", ("300/100 mg twice daily for 5 days",)),
            InterventionClass("immunomodulator", "BIOLOGICAL", ("tocilizumab", "baricitinib",
                                                               "anakinra"),
                              ("8 mg/kg single infusion", "4 mg daily for 14 days"),
                              "28-day mortality"),
        ),
        ("COVID-19-related hospitalisation or death through day 28",),
        ("Time to symptom resolution", "Viral load change by day 5", "Progression to mechanical ventilation"),
        ("Laboratory-confirmed SARS-CoV-2 infection", "Symptom onset within 5 days"),
        ("Anticipated need for hospitalisation within 48 hours", "Current use of strong CYP3A inducers"),
        2.0,
    ),
    Condition(
        "Chronic Kidney Disease", "D051436", "Renal Insufficiency, Chronic", "nephrology",
        (
            _drug("SGLT2 inhibitor", ("dapagliflozin", "empagliflozin"),
                  "Change in urine albumin-to-creatinine ratio", ("10 mg once daily",)),
            _drug("HIF prolyl hydroxylase inhibitor", ("roxadustat", "daprodustat", "vadadustat"),
                  "Change in haemoglobin", ("three times weekly", "once daily")),
        ),
        ("Time to sustained 50% decline in eGFR, end-stage kidney disease or renal death",),
        ("Change in eGFR slope", "Change in UACR", "Hyperkalaemia events"),
        ("eGFR 25-75 mL/min/1.73 m2", "Urine albumin-to-creatinine ratio 200-5000 mg/g"),
        ("Polycystic kidney disease", "Immunosuppressive therapy for kidney disease within 6 months",
         "Kidney transplant recipient"),
        1.8,
    ),
    Condition(
        "Osteoarthritis, Knee", "D020370", "Osteoarthritis, Knee", "musculoskeletal",
        (
            InterventionClass("intra-articular injection", "DRUG",
                              ("triamcinolone extended release", "hyaluronic acid", "platelet-rich plasma"),
                              ("single injection", "three weekly injections"),
                              "Change in WOMAC pain at week 12"),
            InterventionClass("exercise therapy", "BEHAVIORAL",
                              ("supervised strengthening programme", "aquatic exercise"),
                              ("twice weekly for 12 weeks",), "Change in KOOS function"),
        ),
        ("Change from baseline in WOMAC pain subscale",),
        ("WOMAC function", "Patient Global Assessment", "Rescue analgesic use"),
        ("Radiographic knee osteoarthritis Kellgren-Lawrence grade 2-3", "Knee pain on most days"),
        ("Intra-articular injection in the index knee within 3 months", "Inflammatory arthritis",
         "Planned knee replacement"),
        0.8,
    ),
    Condition(
        "Obesity", "D009765", "Obesity", "cardiometabolic",
        (
            _drug("incretin-based therapy", ("semaglutide", "tirzepatide", "liraglutide"),
                  "Proportion achieving at least 10% weight loss", ("2.4 mg weekly", "15 mg weekly")),
            InterventionClass("intensive lifestyle intervention", "BEHAVIORAL",
                              ("low-calorie diet programme", "digital coaching"), ("12 months",),
                              "Change in waist circumference"),
        ),
        ("Percent change in body weight",),
        ("Proportion achieving 5% weight loss", "Change in waist circumference", "Change in HbA1c"),
        ("Body mass index of 30 kg/m2 or more, or 27 with a weight-related comorbidity",
         "At least one unsuccessful dietary weight-loss attempt"),
        ("Prior bariatric surgery", "Weight change above 5 kg within 90 days",
         "Personal or family history of medullary thyroid carcinoma"),
        1.2, True,
    ),
    Condition(
        "Postoperative Pain", "D010149", "Pain, Postoperative", "anaesthesia",
        (
            _drug("regional anaesthesia", ("liposomal bupivacaine", "ropivacaine nerve block"),
                  "Opioid consumption in the first 48 hours", ("266 mg infiltration", "0.5% 20 mL")),
            _drug("non-opioid analgesic", ("intravenous acetaminophen", "ketorolac", "gabapentin"),
                  "Time to first rescue analgesia", ("1 g every 6 hours", "30 mg single dose")),
        ),
        ("Pain intensity (NRS) area under the curve 0-72 hours",),
        ("Total opioid consumption", "Postoperative nausea and vomiting", "Length of hospital stay"),
        ("Scheduled for elective surgery under general anaesthesia", "ASA physical status I-III"),
        ("Chronic opioid use", "Allergy to local anaesthetics", "Severe hepatic impairment"),
        0.5, True,
    ),
    Condition(
        "Osteoporosis", "D010024", "Osteoporosis", "musculoskeletal",
        (
            InterventionClass("bone-forming agent", "BIOLOGICAL", ("romosozumab", "teriparatide",
                                                                  "abaloparatide"),
                              ("210 mg monthly", "20 ug daily"), "Incidence of new vertebral fracture"),
            _drug("antiresorptive therapy", ("denosumab", "zoledronic acid", "alendronate"),
                  "Percent change in lumbar spine BMD", ("60 mg every 6 months", "5 mg yearly")),
        ),
        ("Percent change in lumbar spine bone mineral density at month 12",),
        ("New vertebral fractures", "Total hip BMD", "Bone turnover markers"),
        ("Postmenopausal women with T-score of -2.5 or lower", "Ambulatory"),
        ("Metabolic bone disease other than osteoporosis", "Hypocalcaemia", "Recent bisphosphonate use"),
        1.5,
    ),
    Condition(
        "Stroke", "D020521", "Stroke", "neurology",
        (
            _drug("thrombolysis", ("tenecteplase", "alteplase"), "Early neurological improvement",
                  ("0.25 mg/kg bolus", "0.9 mg/kg infusion")),
            InterventionClass("rehabilitation", "BEHAVIORAL",
                              ("robot-assisted arm training", "constraint-induced movement therapy"),
                              ("5 days a week for 6 weeks",), "Fugl-Meyer upper extremity score"),
        ),
        ("Modified Rankin Scale score of 0-1 at day 90",),
        ("Symptomatic intracranial haemorrhage", "NIHSS change at 24 hours", "Barthel Index"),
        ("Acute ischaemic stroke with measurable neurological deficit", "Treatment possible within 4.5 "
         "hours of onset"),
        ("Intracranial haemorrhage on imaging", "Platelet count below 100,000/mm3",
         "Pre-stroke mRS above 2"),
        1.6,
    ),
)
"""The catalogue; order is part of the generator's determinism, so append, never reorder."""
